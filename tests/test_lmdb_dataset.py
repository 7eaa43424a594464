import numpy as np
import pytest
import torch

from modules.imageio import encode_image
from modules.recognizer.lmdb_dataset import LmdbDataset, MixedDataset, RatioBatchSampler, batch_sizes, collate
from modules.recognizer.augment import Augmenter
from modules.recognizer.config import Preprocess
from modules.recognizer.synth import render_word, write_raw_lmdb
from modules.text.charset import Charset

CHARSET = Charset.from_chars("가나다라abc")


@pytest.fixture()
def lmdb_path(tmp_path, font_path):
    words = ["가나", "abc", "라다가", "가나다라abcab", "가z", "", "다"]
    samples = [(encode_image(render_word(w or "x", font_path, seed=i), ".jpg"), w) for i, w in enumerate(words)]
    samples.append((b"not an image", "가"))
    return write_raw_lmdb(tmp_path / "train" / "toy", samples)


def test_filters_and_reports_without_rewriting(lmdb_path):
    pre = Preprocess(img_h=32, img_w=100)
    ds = LmdbDataset(lmdb_path, pre, charset=CHARSET, batch_max_length=8, cache=True, progress=False)
    assert ds.labels == ["가나", "abc", "라다가", "다"]
    assert ds.report.total == 8 and ds.report.kept == 4
    assert ds.report.reasons == {
        "longer than batch_max_length=8": 1, "characters outside the charset": 1, "empty label": 1,
        "undecodable image": 1,
    }
    image, label = ds[0]
    assert image.shape == (1, 32, 100) and image.dtype == np.uint8 and label == "가나"
    streamed = LmdbDataset(lmdb_path, pre, charset=CHARSET, batch_max_length=8, cache=False)
    assert np.array_equal(streamed[1][0], ds[1][0])


def test_rgb_keep_ratio(lmdb_path):
    ds = LmdbDataset(lmdb_path, Preprocess(img_h=24, img_w=80, rgb=True, keep_ratio_pad=True), charset=CHARSET)
    assert ds[0][0].shape == (3, 24, 80)


def test_ratio_sampler_is_a_pure_function_of_seed_and_iteration():
    assert batch_sizes(64, [0.5, 0.5]) == [32, 32]
    assert batch_sizes(10, [0.9, 0.01]) == [9, 1]
    sampler = RatioBatchSampler([5, 3], [2, 1], seed=7)
    it = iter(sampler)
    first = [next(it) for _ in range(6)]
    resumed = RatioBatchSampler([5, 3], [2, 1], seed=7, start=3)
    assert next(iter(resumed)) == first[3]
    # each dataset is walked through complete permutations epoch after epoch
    from_a = [i for batch in first[:5] for d, i, _ in batch if d == 0]
    assert sorted(from_a[:5]) == list(range(5)) and sorted(from_a[5:10]) == list(range(5))
    assert RatioBatchSampler([5, 3], [2, 1], seed=8).batch(0) != first[0]
    with pytest.raises(ValueError, match="needs samples"):
        RatioBatchSampler([5, 0], [1, 1])


def test_mixed_batches_with_augmentation_are_reproducible(lmdb_path):
    pre = Preprocess(img_w=100)
    ds = LmdbDataset(lmdb_path, pre, charset=CHARSET, augment=Augmenter(p=1.0), cache=True, progress=False)
    mixed = MixedDataset([ds, ds])
    sampler = RatioBatchSampler([len(ds), len(ds)], [3, 2], seed=1)
    images, labels = collate([mixed[key] for key in sampler.batch(4)])
    again, _ = collate([mixed[key] for key in sampler.batch(4)])
    assert images.shape == (5, 1, 32, 100) and images.dtype == torch.uint8 and len(labels) == 5
    assert torch.equal(images, again)
    plain = torch.from_numpy(np.stack([ds[i][0] for _, i, _ in sampler.batch(4)]))
    assert not torch.equal(images, plain)  # augmentation changed the pixels
