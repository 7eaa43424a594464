import numpy as np
import pytest

from modules.detector.join import join_split_words


def _join(boxes, scores):
    return join_split_words(np.asarray(boxes, np.float32), np.asarray(scores, np.float32))


def test_two_pieces_of_a_long_word_become_their_union_with_the_best_score() -> None:
    boxes, scores = _join([[60, 52, 486, 129], [301, 50, 691, 132]], [0.77, 0.49])
    np.testing.assert_allclose(boxes, [[60, 50, 691, 132]])
    np.testing.assert_allclose(scores, [0.77])
    assert boxes.dtype == np.float32 and scores.dtype == np.float32


def test_words_of_a_line_with_a_gap_or_just_touching_stay_apart() -> None:
    words = [[10, 10, 60, 30], [70, 11, 130, 31], [130, 10, 190, 30]]  # gap of 10 px, then touching
    boxes, scores = _join(words, [0.9, 0.8, 0.7])
    np.testing.assert_allclose(boxes, words)
    np.testing.assert_allclose(scores, [0.9, 0.8, 0.7])


def test_boxes_on_different_lines_stay_apart() -> None:
    # overlapping along x, but the second sits mostly below the first: band overlap 5 / 20 < 0.6
    boxes, _ = _join([[10, 10, 110, 30], [50, 25, 150, 45]], [0.9, 0.8])
    assert len(boxes) == 2


def test_overlap_thresholds_are_respected() -> None:
    pieces = [[0, 0, 100, 20], [80, 0, 180, 20]]  # along overlap 20 / 100 = 0.2
    assert len(join_split_words(np.asarray(pieces), np.ones(2), along_overlap=0.2)[0]) == 1
    assert len(join_split_words(np.asarray(pieces), np.ones(2), along_overlap=0.25)[0]) == 2
    shifted = [[0, 0, 100, 20], [80, 7, 180, 27]]  # band overlap 13 / 20 = 0.65
    assert len(join_split_words(np.asarray(shifted), np.ones(2), cross_overlap=0.6)[0]) == 1
    assert len(join_split_words(np.asarray(shifted), np.ones(2), cross_overlap=0.7)[0]) == 2


def test_vertical_pieces_join_along_y_and_never_with_horizontal_boxes() -> None:
    boxes, _ = _join([[100, 10, 130, 110], [101, 90, 131, 200]], [0.6, 0.8])
    np.testing.assert_allclose(boxes, [[100, 10, 131, 200]])
    # a horizontal word crossing a vertical one: both kept
    boxes, _ = _join([[100, 10, 130, 110], [90, 80, 200, 105]], [0.6, 0.8])
    assert len(boxes) == 2


def test_a_grown_union_reaches_a_third_piece() -> None:
    # the best piece (first) overlaps only the middle one; their union then overlaps the last
    boxes, scores = _join([[0, 0, 100, 30], [70, 0, 170, 30], [140, 1, 240, 31]], [0.9, 0.5, 0.6])
    np.testing.assert_allclose(boxes, [[0, 0, 240, 31]])
    np.testing.assert_allclose(scores, [0.9])


def test_empty_and_mismatched_inputs() -> None:
    boxes, scores = join_split_words(np.zeros((0, 4)), np.zeros(0))
    assert boxes.shape == (0, 4) and scores.shape == (0,)
    with pytest.raises(ValueError):
        join_split_words(np.zeros((2, 4)), np.zeros(1))
