"""Rebuild the generator's font pool: subsets of Debian's free fonts, split train / test by family.

    apt-get download $(.venv/bin/python textimagegenerator/build_fonts.py --packages)
    for deb in *.deb; do dpkg -x "$deb" debroot/; done
    .venv/bin/python textimagegenerator/build_fonts.py --src debroot

Each font of ``SOURCES`` is cut down with fontTools to the glyphs the project renders (KS X 1001
Hangul, printable ASCII and a few sign symbols), so the clone stays small (fonts whose subset
stays over ~3 MB, such as the Eco and weathered Euljiro designs, are left out), and renamed: several
licences (SIL OFL Reserved Font Names, the Artistic licence) forbid a modified font to carry the
original name, so each subset is called ``kocr subset <id>`` and ``fonts.json`` credits the family
and Debian package it came from. Each package's copyright file is copied to ``fonts/licenses/``.

The split is by **family** (a family's every weight on the same side), so the ``test`` fonts
(validation crops, dev and test scenes, the OOD dev set) are designs the recognizer never saw, not
another weight of a training font. UnFonts and Baekmuk are reserved for independent evaluation and
must never appear here (``RESERVED``; ``modules.generator.fonts.load_fonts`` refuses them).
The 11 unmodified Nanum fonts already in ``fonts/`` are kept as they are and listed too.

Korean training families from npm (Google Fonts designs packaged by Expo, Pretendard, Wanted Sans,
Galmuri; all SIL OFL 1.1) are subset the same way, from the packages unpacked under one folder::

    mkdir npm && cd npm && for p in $(../.venv/bin/python ../textimagegenerator/build_fonts.py --npm-packages); do
        npm pack "$p" && mkdir -p "${p%@*}" && tar xzf *.tgz -C "${p%@*}" && rm *.tgz; done && cd ..
    .venv/bin/python textimagegenerator/build_fonts.py --npm-src npm

``--npm-src`` alone rebuilds only those and keeps the Debian fonts' entries in ``fonts.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # a script run from anywhere: make the repository's `modules` importable
    sys.path.insert(0, str(ROOT))

from fontTools import subset  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402

from modules.generator.fonts import licence_name  # noqa: E402
from modules.text.charset import ksx1001_hangul, printable_ascii  # noqa: E402

FONTS_DIR = Path(__file__).with_name("fonts")
SYMBOLS = "₩·°℃※~…"  # sign symbols the corpus may draw; a font lacking one never renders it
T, O = "truetype", "opentype"
# Designs that draw lower case as capitals: their subsets leave a-z out, so the coverage check keeps any
# text with lower case away from them (a crop labelled "Seoul" must not show SEOUL).
CAPS_ONLY = {"Bebas Neue", "Humor Sans"}
# Characters a design maps to a glyph that is not that character (seen on a rendered sheet of every
# symbol): BM Hanna draws the won sign as a tilde and the backslash as a slash, BM Euljiro has a box for
# the degree-Celsius sign. Korean fonts draw the backslash as a won sign (the KS X 1001 convention), so
# no Korean subset keeps it. The coverage check then keeps these characters away from these fonts.
WRONG_GLYPHS = {"BM Hanna": "₩\\", "BM Euljiro": "℃"}
KO_AMBIGUOUS = "\\"

# (package, path under usr/share/fonts, collection index, family, style, script, split)
SOURCES: tuple[tuple[str, str, int, str, str, str, str], ...] = (
    # --- Korean: train families -------------------------------------------------------------
    *(("fonts-noto-cjk" if w in ("Regular", "Bold") else "fonts-noto-cjk-extra", f"{O}/noto/NotoSansCJK-{w}.ttc", 1,
       "Noto Sans CJK KR", "gothic", "ko", "train") for w in ("Light", "Regular", "Medium", "Bold", "Black")),
    *(("fonts-nanum", f"{T}/nanum/NanumGothic{w}.ttf", 0, "Nanum Gothic", "gothic", "ko", "train")
      for w in ("Light", "Bold")),
    *(("fonts-nanum-extra", f"{T}/nanum/NanumMyeongjo{w}.ttf", 0, "Nanum Myeongjo", "myeongjo", "ko", "train")
      for w in ("ExtraBold",)),
    *(("fonts-nanum-extra", f"{T}/nanum/NanumSquare{w}.ttf", 0, "Nanum Square", "square", "ko", "train")
      for w in ("L", "B")),
    *(("fonts-nanum-extra", f"{T}/nanum/NanumBarunpen{w}.ttf", 0, "Nanum Barunpen", "pen", "ko", "train")
      for w in ("R", "B")),
    *(("fonts-nanum-coding", f"{T}/nanum/NanumGothicCoding{w}.ttf", 0, "Nanum Gothic Coding", "mono", "ko", "train")
      for w in ("", "Bold")),
    *(("fonts-woowa-bm", f"{T}/woowa-bm/{f}.ttf", 0, "BM Hanna", "display", "ko", "train")
      for f in ("BMHANNAPro", "BMHANNAAir_ttf", "BMHANNA_11yrs_ttf")),
    ("fonts-woowa-bm", f"{T}/woowa-bm/BMDOHYEON_ttf.ttf", 0, "BM Dohyeon", "display", "ko", "train"),
    *(("fonts-woowa-bm", f"{T}/woowa-bm/{f}.ttf", 0, "BM Euljiro", "display", "ko", "train")
      for f in ("BMEULJIROTTF",)),
    ("fonts-alee", f"{T}/alee/Bandal.ttf", 0, "Alee Bandal", "gothic", "ko", "train"),
    ("fonts-alee", f"{T}/alee/Guseul.ttf", 0, "Alee Guseul", "myeongjo", "ko", "train"),
    ("fonts-lexi-gulim", f"{T}/lexi/LexiGulim.ttf", 0, "Lexi Gulim", "gothic", "ko", "train"),
    # --- Korean: held-out (test) families ---------------------------------------------------------
    *(("fonts-noto-cjk" if w in ("Regular", "Bold") else "fonts-noto-cjk-extra", f"{O}/noto/NotoSerifCJK-{w}.ttc", 1,
       "Noto Serif CJK KR", "myeongjo", "ko", "test") for w in ("Light", "Regular", "SemiBold", "Bold", "Black")),
    *(("fonts-nanum-extra", f"{T}/nanum/NanumBarunGothic{w}.ttf", 0, "Nanum Barun Gothic", "gothic", "ko", "test")
      for w in ("Light", "Bold")),
    *(("fonts-nanum-extra", f"{T}/nanum/NanumSquareRound{w}.ttf", 0, "Nanum Square Round", "rounded", "ko", "test")
      for w in ("L", "EB")),
    *(("fonts-naver-d2coding", f"{T}/naver-d2coding/D2Coding-Ver1.3.2-20180524-all.ttc", i, "D2Coding", "mono",
       "ko", "test") for i in (0, 1)),
    ("fonts-woowa-bm", f"{T}/woowa-bm/BMJUA_ttf.ttf", 0, "BM Jua", "display", "ko", "test"),
    ("fonts-woowa-bm", f"{T}/woowa-bm/BMYEONSUNG_ttf.ttf", 0, "BM Yeonsung", "display", "ko", "test"),
    ("fonts-woowa-bm", f"{T}/woowa-bm/BMKIRANGHAERANG-TTF.ttf", 0, "BM Kirang Haerang", "pen", "ko", "test"),
    ("fonts-alee", f"{T}/alee/Eunjin.ttf", 0, "Alee Eunjin", "gothic", "ko", "test"),
    ("fonts-alee", f"{T}/alee/EunjinNakseo.ttf", 0, "Alee Eunjin Nakseo", "pen", "ko", "test"),
    ("fonts-alee", f"{T}/alee/Bangwool.ttf", 0, "Alee Bangwool", "myeongjo", "ko", "test"),
    ("fonts-lexi-saebom", f"{T}/lexi/LexiSaebomR.ttf", 0, "Lexi Saebom", "myeongjo", "ko", "test"),
    # --- Latin: train families --------------------------------------------------------------------
    *(("fonts-dejavu-core" if "Light" not in f and "Condensed" not in f else "fonts-dejavu-extra",
       f"{T}/dejavu/{f}.ttf", 0, "DejaVu Sans", "sans", "latin", "train")
      for f in ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-ExtraLight", "DejaVuSansCondensed-Oblique")),
    *(("fonts-dejavu-core", f"{T}/dejavu/{f}.ttf", 0, "DejaVu Serif", "serif", "latin", "train")
      for f in ("DejaVuSerif", "DejaVuSerif-Bold")),
    ("fonts-dejavu-core", f"{T}/dejavu/DejaVuSansMono.ttf", 0, "DejaVu Sans Mono", "mono", "latin", "train"),
    *(("fonts-liberation2", f"{T}/liberation2/Liberation{f}.ttf", 0, f"Liberation {f.split('-')[0]}", s, "latin",
       "train") for f, s in (("Sans-Regular", "sans"), ("Sans-BoldItalic", "sans"), ("Serif-Regular", "serif"),
                             ("Serif-Bold", "serif"), ("Mono-Regular", "mono"))),
    *(("fonts-roboto-unhinted", f"{T}/roboto/unhinted/RobotoTTF/Roboto-{w}.ttf", 0, "Roboto", "sans", "latin", "train")
      for w in ("Regular", "Black", "LightItalic")),
    *(("fonts-roboto-unhinted", f"{T}/roboto/unhinted/RobotoCondensed-{w}.ttf", 0, "Roboto Condensed", "condensed",
       "latin", "train") for w in ("Regular", "Bold")),
    *(("fonts-lato", f"{T}/lato/Lato-{w}.ttf", 0, "Lato", "sans", "latin", "train") for w in ("Regular", "Heavy")),
    ("fonts-crosextra-caladea", f"{T}/crosextra/Caladea-Regular.ttf", 0, "Caladea", "serif", "latin", "train"),
    ("fonts-cantarell", f"{O}/cantarell/Cantarell-Bold.otf", 0, "Cantarell", "sans", "latin", "train"),
    *(("fonts-comic-neue", f"{O}/comic-neue/ComicNeue-{w}.otf", 0, "Comic Neue", "handwriting", "latin", "train")
      for w in ("Regular", "Bold")),
    *(("fonts-urw-base35", f"{O}/urw-base35/{f}.otf", 0, fam, s, "latin", "train")
      for f, fam, s in (("NimbusSans-Regular", "Nimbus Sans", "sans"), ("NimbusSansNarrow-Bold", "Nimbus Sans", "condensed"),
                        ("NimbusRoman-Regular", "Nimbus Roman", "serif"), ("NimbusMonoPS-Bold", "Nimbus Mono PS", "mono"),
                        ("URWBookman-Light", "URW Bookman", "serif"), ("URWGothic-Demi", "URW Gothic", "display"),
                        ("C059-Roman", "C059", "serif"), ("Z003-MediumItalic", "Z003", "handwriting"))),
    ("fonts-inconsolata", f"{T}/inconsolata/Inconsolata.otf", 0, "Inconsolata", "mono", "latin", "train"),
    ("fonts-firacode", f"{T}/firacode/FiraCode-Regular.ttf", 0, "Fira Code", "mono", "latin", "train"),
    *(("fonts-league-spartan", f"{O}/league-spartan/LeagueSpartan-{w}.otf", 0, "League Spartan", "display", "latin",
       "train") for w in ("Regular", "Black")),
    ("fonts-linuxlibertine", f"{O}/linux-libertine/LinLibertine_R.otf", 0, "Linux Libertine", "serif", "latin", "train"),
    ("fonts-lobster", f"{O}/lobster/lobster.otf", 0, "Lobster", "display", "latin", "train"),
    ("fonts-dancingscript", f"{O}/dancingscript/DancingScript-Regular.otf", 0, "Dancing Script", "handwriting",
     "latin", "train"),
    ("fonts-bebas-neue", f"{O}/bebas-neue/BebasNeue-Regular.otf", 0, "Bebas Neue", "condensed", "latin", "train"),
    ("fonts-yanone-kaffeesatz", f"{O}/yanone-kaffeesatz/YanoneKaffeesatz-Regular.otf", 0, "Yanone Kaffeesatz",
     "condensed", "latin", "train"),
    ("fonts-courier-prime", f"{O}/courier-prime/Courier Prime.otf", 0, "Courier Prime", "mono", "latin", "train"),
    ("fonts-quicksand", f"{T}/quicksand/Quicksand-Bold.ttf", 0, "Quicksand", "rounded", "latin", "train"),
    ("fonts-cabin", f"{O}/cabin/Cabin-SemiBold.otf", 0, "Cabin", "sans", "latin", "train"),
    ("fonts-b612", f"{O}/b612/B612-Regular.otf", 0, "B612", "sans", "latin", "train"),
    ("fonts-sil-gentiumplus", f"{T}/gentiumplus/GentiumPlus-Italic.ttf", 0, "Gentium Plus", "serif", "latin", "train"),
    # --- Latin: held-out (test) families ---------------------------------------------------------
    *(("fonts-open-sans", f"{T}/open-sans/OpenSans-{w}.ttf", 0, "Open Sans", "sans", "latin", "test")
      for w in ("Regular", "CondBold", "ExtraBold")),
    *(("fonts-crosextra-carlito", f"{T}/crosextra/Carlito-{w}.ttf", 0, "Carlito", "sans", "latin", "test")
      for w in ("Regular", "BoldItalic")),
    *(("fonts-freefont-ttf", f"{T}/freefont/{f}.ttf", 0, fam, s, "latin", "test")
      for f, fam, s in (("FreeSerif", "FreeSerif", "serif"), ("FreeSansBold", "FreeSans", "sans"),
                        ("FreeMono", "FreeMono", "mono"))),
    ("fonts-hack", f"{T}/hack/Hack-Bold.ttf", 0, "Hack", "mono", "latin", "test"),
    ("fonts-ebgaramond", f"{O}/ebgaramond/EBGaramond12-Regular.otf", 0, "EB Garamond", "serif", "latin", "test"),
    ("fonts-lobstertwo", f"{O}/lobstertwo/LobsterTwo-Bold.otf", 0, "Lobster Two", "display", "latin", "test"),
    ("fonts-humor-sans", f"{T}/humor-sans/Humor-Sans.ttf", 0, "Humor Sans", "handwriting", "latin", "test"),
    ("fonts-jura", f"{O}/jura/Jura-Medium.otf", 0, "Jura", "sans", "latin", "test"),
    ("fonts-comfortaa", f"{T}/comfortaa/Comfortaa-Bold.ttf", 0, "Comfortaa", "rounded", "latin", "test"),
    ("fonts-linuxlibertine", f"{O}/linux-libertine/LinBiolinum_RB.otf", 0, "Linux Biolinum", "sans", "latin", "test"),
    ("fonts-anonymous-pro", f"{T}/anonymous-pro/Anonymous Pro.ttf", 0, "Anonymous Pro", "mono", "latin", "test"),
    ("fonts-sil-andika", f"{T}/andika/Andika-Regular.ttf", 0, "Andika", "sans", "latin", "test"),
)

# The 11 unmodified NAVER fonts shipped before (SIL OFL 1.1, fonts-nanum / fonts-nanum-extra).
NANUM = (
    ("NanumGothic.ttf", "Nanum Gothic", "gothic", "train"),
    ("NanumGothicExtraBold.ttf", "Nanum Gothic", "headline", "train"),
    ("NanumMyeongjo.ttf", "Nanum Myeongjo", "myeongjo", "train"),
    ("NanumMyeongjoBold.ttf", "Nanum Myeongjo", "myeongjo", "train"),
    ("NanumSquareR.ttf", "Nanum Square", "square", "train"),
    ("NanumSquareEB.ttf", "Nanum Square", "headline", "train"),
    ("NanumPen.ttf", "Nanum Pen", "pen", "train"),
    ("NanumBrush.ttf", "Nanum Brush", "brush", "train"),
    ("NanumBarunGothic.ttf", "Nanum Barun Gothic", "gothic", "test"),
    ("NanumSquareRoundR.ttf", "Nanum Square Round", "rounded", "test"),
    ("NanumSquareRoundB.ttf", "Nanum Square Round", "rounded", "test"),
)

# (npm package@version, file in the package, family, style, licence file in the package): Korean designs
# not in Debian, all training families (the held-out families stay the Debian ones, so the dev sets do
# not change). Designs Debian already has under another name (Jua, Do Hyeon, Yeon Sung, Kirang Haerang,
# Nanum, Noto) are not taken again, nor hairline outline designs (Moirai One: faint at small sizes), and
# packages without a licence file to ship are left out.
EXPO = "@expo-google-fonts"
NPM_SOURCES: tuple[tuple[str, str, str, str, str], ...] = (
    (f"{EXPO}/black-han-sans@0.4.1", "400Regular/BlackHanSans_400Regular.ttf", "Black Han Sans", "display", "LICENSE_FONT"),
    *((f"{EXPO}/gothic-a1@0.4.1", f"{w}/GothicA1_{w}.ttf", "Gothic A1", "gothic", "LICENSE_FONT")
      for w in ("400Regular", "900Black")),
    (f"{EXPO}/song-myung@0.4.2", "400Regular/SongMyung_400Regular.ttf", "Song Myung", "myeongjo", "LICENSE_FONT"),
    (f"{EXPO}/gaegu@0.4.1", "700Bold/Gaegu_700Bold.ttf", "Gaegu", "pen", "LICENSE_FONT"),
    (f"{EXPO}/sunflower@0.4.0", "500Medium/Sunflower_500Medium.ttf", "Sunflower", "gothic", "LICENSE_FONT"),
    (f"{EXPO}/gamja-flower@0.4.1", "400Regular/GamjaFlower_400Regular.ttf", "Gamja Flower", "pen", "LICENSE_FONT"),
    (f"{EXPO}/cute-font@0.4.1", "400Regular/CuteFont_400Regular.ttf", "Cute Font", "display", "LICENSE_FONT"),
    (f"{EXPO}/dokdo@0.4.1", "400Regular/Dokdo_400Regular.ttf", "Dokdo", "brush", "LICENSE_FONT"),
    (f"{EXPO}/single-day@0.4.1", "400Regular/SingleDay_400Regular.ttf", "Single Day", "display", "LICENSE_FONT"),
    (f"{EXPO}/black-and-white-picture@0.4.1", "400Regular/BlackAndWhitePicture_400Regular.ttf",
     "Black And White Picture", "brush", "LICENSE_FONT"),
    (f"{EXPO}/gowun-batang@0.4.1", "400Regular/GowunBatang_400Regular.ttf", "Gowun Batang", "myeongjo", "LICENSE_FONT"),
    (f"{EXPO}/gowun-dodum@0.4.1", "400Regular/GowunDodum_400Regular.ttf", "Gowun Dodum", "rounded", "LICENSE_FONT"),
    (f"{EXPO}/dongle@0.4.1", "400Regular/Dongle_400Regular.ttf", "Dongle", "rounded", "LICENSE_FONT"),
    (f"{EXPO}/orbit@0.4.1", "400Regular/Orbit_400Regular.ttf", "Orbit", "gothic", "LICENSE_FONT"),
    (f"{EXPO}/gasoek-one@0.4.0", "400Regular/GasoekOne_400Regular.ttf", "Gasoek One", "display", "LICENSE_FONT"),
    (f"{EXPO}/bagel-fat-one@0.4.0", "400Regular/BagelFatOne_400Regular.ttf", "Bagel Fat One", "display", "LICENSE_FONT"),
    *(("pretendard@1.3.9", f"dist/public/static/alternative/Pretendard-{w}.ttf", "Pretendard", "gothic",
       "dist/LICENSE.txt") for w in ("Regular", "ExtraBold")),
    *(("wanted-sans@1.0.3", f"fonts/ttf/WantedSans-{w}.ttf", "Wanted Sans", "gothic", "fonts/OFL.txt")
      for w in ("Medium", "Black")),
    *(("galmuri@2.40.3", f"dist/{f}.ttf", "Galmuri", "pixel", "ofl.md") for f in ("Galmuri11", "Galmuri11-Bold")),
)


def glyph_text() -> str:
    """Every character a subset keeps (when the source font has it)."""
    return "".join(ksx1001_hangul()) + "".join(printable_ascii()) + SYMBOLS


def blank_characters(src: Path, index: int, text: str) -> str:
    """The characters of ``text`` (space aside) that ``src`` maps to a glyph with no outline: drawn,
    they would be an empty gap where the label has a character."""
    from fontTools.pens.boundsPen import BoundsPen

    font = TTFont(str(src), fontNumber=index, lazy=True)
    cmap, glyphs = font.getBestCmap(), font.getGlyphSet()
    blank = []
    for ch in text:
        name = cmap.get(ord(ch))
        if name is None or ch.isspace():
            continue
        pen = BoundsPen(glyphs)
        glyphs[name].draw(pen)
        if pen.bounds is None:
            blank.append(ch)
    return "".join(blank)


def subset_font(src: Path, index: int, dst_stem: Path, name: str, text: str) -> Path:
    """Write the subset of ``src`` (collection member ``index``) holding ``text``'s glyphs, renamed to
    ``name``, to ``dst_stem`` + ``.otf`` (CFF outlines) or ``.ttf``; returns the written path."""
    font = TTFont(str(src), fontNumber=index, lazy=False, recalcTimestamp=False)  # same bytes every build
    dst = dst_stem.with_suffix(".otf" if "CFF " in font else ".ttf")
    options = subset.Options()
    options.hinting = False
    options.name_IDs = [0, 7, 8, 9, 11, 12, 13, 14]  # copyright, trademark, designer, licence: kept
    options.name_languages = [0x409]
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    table = font["name"]
    for name_id, value in ((1, name), (2, "Regular"), (3, f"{name};kocr"), (4, name),
                           (6, name.replace(" ", "-")), (16, name), (17, "Regular")):
        table.setName(value, name_id, 3, 1, 0x409)
    font.save(str(dst))
    return dst


def build_one(src: Path, index: int, family: str, style: str, script: str, split: str, package: str,
              text: str, counters: dict[str, int]) -> dict:
    """Subset one font to the next free stem of its ``<script>-<style>`` kind; returns its ``fonts.json`` entry."""
    key = f"{script}-{style}"
    counters[key] = counters.get(key, 0) + 1
    stem = f"{key}-{counters[key]:02d}"
    drop = WRONG_GLYPHS.get(family, "") + (KO_AMBIGUOUS if script == "ko" else "") + blank_characters(src, index, text)
    keep = "".join(ch for ch in text if ch not in drop and not (family in CAPS_ONLY and "a" <= ch <= "z"))
    dst = subset_font(src, index, FONTS_DIR / stem, f"kocr subset {stem}", keep)
    cmap = TTFont(str(dst)).getBestCmap()
    ko = set(ksx1001_hangul())
    hangul = sum(ord(ch) in cmap for ch in ko)
    if script == "ko" and hangul < len(ko):
        print(f"{dst.name}: {family} maps {hangul} of {len(ko)} KS X 1001 syllables")
    mapped = sum(ord(ch) in cmap for ch in text)
    print(f"{dst.name:24s} {family:22s} {split:5s} {dst.stat().st_size // 1024:5d} KiB  {mapped} chars")
    return {"file": dst.name, "family": family, "style": style, "script": script, "split": split,
            "package": package, "source": src.name, "modified": True}


def build_debian(root: Path, text: str, counters: dict[str, int], licenses: Path) -> list[dict]:
    """The 11 Nanum fonts' entries and the subsets of ``SOURCES`` from Debian packages unpacked at ``root``."""
    entries = [{"file": f, "family": fam, "style": s, "script": "ko", "split": sp, "package": "fonts-nanum",
                "modified": False} for f, fam, s, sp in NANUM]
    for package, rel, index, family, style, script, split in SOURCES:
        entries.append(build_one(root / "usr/share/fonts" / rel, index, family, style, script, split, package,
                                 text, counters))
        copyright_file = root / "usr/share/doc" / package / "copyright"
        if copyright_file.exists():
            shutil.copyfile(copyright_file, licenses / licence_name(package))
    return entries


def build_npm(root: Path, text: str, counters: dict[str, int], licenses: Path) -> list[dict]:
    """The subsets of ``NPM_SOURCES`` from npm packages unpacked at ``root/<package>/package``."""
    entries = []
    for package, rel, family, style, licence in NPM_SOURCES:
        folder = root / package.rpartition("@")[0] / "package"
        entries.append(build_one(folder / rel, 0, family, style, "ko", "train", f"npm:{package}", text, counters))
        shutil.copyfile(folder / licence, licenses / licence_name(f"npm:{package}"))
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", type=Path, help="root where the Debian packages were unpacked (dpkg -x)")
    parser.add_argument("--npm-src", type=Path, help="root where the npm packages were unpacked (see above)")
    parser.add_argument("--packages", action="store_true", help="print the Debian packages to download")
    parser.add_argument("--npm-packages", action="store_true", help="print the npm packages to download")
    args = parser.parse_args()
    if args.packages or args.npm_packages:
        print(" ".join(sorted({s[0] for s in (SOURCES if args.packages else NPM_SOURCES)})))
        return
    if args.src is None and args.npm_src is None:
        parser.error("--src or --npm-src is required")
    text = glyph_text()
    licenses = FONTS_DIR / "licenses"
    licenses.mkdir(exist_ok=True)
    listing_path = FONTS_DIR / "fonts.json"
    if args.src is not None:
        counters: dict[str, int] = {}
        entries = build_debian(args.src, text, counters, licenses)
    else:  # keep the Debian fonts as they are; their stems are taken
        entries = [e for e in json.loads(listing_path.read_text(encoding="utf-8"))["fonts"]
                   if not str(e.get("package", "")).startswith("npm:")]
        counters = {}
        for entry in entries:
            if entry.get("modified"):
                kind, _, number = Path(entry["file"]).stem.rpartition("-")
                counters[kind] = max(counters.get(kind, 0), int(number))
    if args.npm_src is not None:
        entries += build_npm(args.npm_src, text, counters, licenses)
    listing = {
        "_comment": "Written by build_fonts.py. 'family' is the design family (the split is by family), "
                    "'package' the Debian package (or npm: package) the font came from (its licence: "
                    "licenses/<package>.txt, licenses/npm-<package>.txt); 'modified' fonts are renamed glyph subsets.",
        "fonts": entries,
    }
    listing_path.write_text(json.dumps(listing, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(entries)} fonts listed in {listing_path}")


if __name__ == "__main__":
    main()
