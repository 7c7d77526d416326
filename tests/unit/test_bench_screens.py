"""bench/screens.py's comparison: every differing pixel counted, however small the difference."""

from __future__ import annotations

from PIL import Image

from bench.screens import compare, differing_pixels


def test_a_one_level_difference_in_one_channel_counts_and_a_taller_image_counts_its_extra_rows():
    a = Image.new("RGB", (4, 3), (255, 255, 255))
    b = Image.new("RGB", (4, 4), (255, 255, 255))
    b.putpixel((1, 1), (255, 255, 254))  # greys to the same value: anti-aliasing noise, still counted
    count, largest, shown = differing_pixels(a, b)
    assert count == 1 + 4
    assert largest == 255  # the extra row is drawn against magenta
    assert shown.size == (4, 4)
    assert shown.getpixel((1, 1)) == (255, 0, 0)
    assert shown.getpixel((0, 0)) != (255, 0, 0)


def test_compare_writes_a_diff_image_only_for_shots_that_differ(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        Image.new("RGB", (2, 2), "white").save(tmp_path / folder / "same-1400.png")
    Image.new("RGB", (2, 2), "white").save(tmp_path / "a" / "moved-390.png")
    Image.new("RGB", (2, 2), "black").save(tmp_path / "b" / "moved-390.png")
    Image.new("RGB", (2, 2), "white").save(tmp_path / "a" / "gone-390.png")

    differ = compare(tmp_path / "a", tmp_path / "b", tmp_path / "diff")

    assert differ == 2
    assert sorted(p.name for p in (tmp_path / "diff").iterdir()) == ["moved-390.png"]
