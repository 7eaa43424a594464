import pytest

from modules.metrics.recognition import normalized_edit_distance, word_accuracy


def test_word_accuracy_exact_match_keeps_hangul_and_case():
    assert word_accuracy(["행복약국", "abc", "ABC"], ["행복약국", "abc", "abc"]) == pytest.approx(2 / 3)
    assert word_accuracy(["ABC!"], ["abc"], alnum_case_insensitive=True) == 1.0
    assert word_accuracy([], []) == 0.0


def test_normalized_edit_distance_icdar2019():
    # 1 - ED / max(len): "행복약국" vs "행복약" -> 1 - 1/4
    assert normalized_edit_distance(["행복약"], ["행복약국"]) == pytest.approx(0.75)
    assert normalized_edit_distance(["", "ab"], ["", "ab"]) == 1.0
    assert normalized_edit_distance(["xyz"], ["ab"]) == pytest.approx(0.0)
    assert normalized_edit_distance(["ab", "a"], ["ab", "b"]) == pytest.approx(0.5)


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError):
        word_accuracy(["a"], [])
