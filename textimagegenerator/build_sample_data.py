"""Rebuild ``textimagegenerator/sample_data.xlsx``: the generator's text corpus.

    .venv/bin/python textimagegenerator/build_sample_data.py [--out PATH] [--seed 0]

The sign vocabulary below is written by the project, composed combinatorially with a fixed seed
into sign-like words and short phrases (shop names, signs, menus, addresses, prices, phone numbers,
English words, made-up brand names, mixed Korean/English), plus random strings of KS X 1001
syllables so every one of the 2,350 syllables appears at least twice. Real vocabulary comes from two
word lists in ``words/``: Korean words of Debian's hunspell-ko dictionary (MPL 1.1 / GPL / LGPL) and
English words of Debian's wamerican list (see the ``*.LICENSE.txt`` files); from them and from
templates come dictionary words, long phrases, dates, times, units, ₩ prices, single characters and
more mixed Korean + Latin + digit texts.
Columns: ``text``, ``category``, ``language`` (see README.md). Only KS X 1001 syllables, printable
ASCII and ``SYMBOLS`` are used; a font lacking a character never draws a text holding it.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # a script run from anywhere: make the repository's `modules` importable
    sys.path.insert(0, str(ROOT))

from modules.text.charset import ksx1001_hangul, printable_ascii  # noqa: E402

DEFAULT_OUT = Path(__file__).with_name("sample_data.xlsx")
WORDS_DIR = Path(__file__).with_name("words")
SYMBOLS = "₩·°℃※…"  # sign symbols beyond ASCII (the font subsets keep them)
UNITS = ("km", "m", "cm", "mm", "kg", "g", "mg", "ml", "L", "kcal", "W", "V", "GB", "인분", "개", "명", "분", "대")
WEEKDAYS = "월화수목금토일"
MAX_LENGTH = 25  # the recognizer's default batch_max_length: no label may be longer

SHOP_PREFIX = (
    "행복 우리 대박 새마을 서울 한빛 푸른 하나 미소 해피 그린 늘봄 다온 소망 참좋은 제일 명품 황금 신선 동네 "
    "으뜸 온누리 한솔 새봄 햇살 별빛 바다 산들 보람 가온 나래 한결 고향 옛날 엄마 할매 형제 삼형제 부자 "
    "만복 복덩이 청춘 봄날 달빛 솔향 은행나무 느티나무 장수 건강 튼튼 싱싱 알뜰 착한 정직한 친절 스마일 "
    "굿모닝 하늘 초록 빨강 노랑 큰길 골목 중앙 역전 시장 명동 종로 강남 부산 대구 광주 전주 춘천 제주"
).split()
SHOP_TYPE = (
    "약국 식당 마트 편의점 미용실 세탁소 치킨 분식 카페 부동산 안경원 정육점 꽃집 빵집 한의원 치과 의원 "
    "내과 소아과 학원 노래방 주유소 서점 문구 철물점 휴대폰 떡집 수산 반찬 김밥 국밥 족발 호프 커피 헤어 "
    "네일 사진관 태권도 피아노 독서실 세차장 카센터 정비소 수선집 약방 한우 횟집 갈비 냉면 칼국수 만두 "
    "보쌈 곱창 슈퍼 상회 상사 철강 인테리어 가구 전자 컴퓨터 안과 피부과 요양원 어린이집 유치원 교회 "
    "성당 헬스 필라테스 요가 당구장 볼링장 사우나 목욕탕 여관 모텔 호텔 펜션 은행 우체국"
).split()
BRANCH = (
    "본점 강남점 역삼점 신촌점 홍대점 명동점 종로점 잠실점 수원점 분당점 일산점 인천점 해운대점 서면점 "
    "동성로점 충장로점 2호점 3호점 직영점 1호점 역전점 시청점 대학로점 터미널점"
).split()
SIGNS = (
    "출입금지 주차금지 비상구 화장실 입구 출구 영업중 임대문의 금연구역 엘리베이터 계단 안내 매표소 "
    "정류장 지하철 공사중 서행 어린이보호구역 횡단보도 일방통행 정지 천천히 당겨주세요 미세요 휴무 "
    "오픈 세일 할인 신장개업 무료배달 배달가능 포장가능 예약석 대기석 흡연실 남자화장실 여자화장실 "
    "관리사무소 경비실 주차장 만차 공차 입차 출차 우회전 좌회전 직진 유턴금지 주정차금지 견인지역 "
    "소화기 소화전 위험 고압주의 미끄럼주의 머리조심 발밑조심 안전제일 관계자외출입금지 개인정보보호 "
    "영업시간 점심시간 정기휴일 연중무휴 매주월요일휴무 카드가능 현금결제 현금영수증 계산대 "
    "신상품 특가 행사중 균일가 폭탄세일 점포정리 마감세일 원산지표시 국내산 수입산 신선식품 "
    "생활용품 주방용품 문구류 의류 신발 가방 잡화 식품관 푸드코트 고객센터 분실물센터 수유실 "
    "환영합니다 감사합니다 어서오세요 또오세요 축 개업 결혼 축하합니다 졸업 입학 생일"
).split()
SIGN_TEMPLATES = (
    "전품목 {p}% 할인", "{p}% 세일", "최대 {p}%", "{h}시 오픈", "오전 {h}시", "오후 {h}시", "{h}시 마감",
    "{n}층", "지하 {n}층", "{n}번 출구", "{n}번 게이트", "{n}호선", "{n}분 거리", "{n}m 앞",
    "{n}km", "주차 {n}대", "{n}인분", "{n}인석", "{n}호", "{n}동", "B{n}", "{n}F",
)
FOODS = (
    "김치찌개 된장찌개 부대찌개 순두부찌개 비빔밥 돌솥비빔밥 불고기 냉면 물냉면 비빔냉면 칼국수 "
    "떡볶이 순대 라면 짜장면 짬뽕 탕수육 삼겹살 목살 갈비탕 설렁탕 곰탕 제육볶음 오징어볶음 돈까스 "
    "김밥 참치김밥 만두 군만두 물만두 쫄면 우동 잔치국수 비빔국수 해장국 감자탕 닭갈비 닭볶음탕 "
    "삼계탕 보쌈 족발 파전 김치전 계란말이 공기밥 생선구이 고등어구이 육개장 콩나물국밥 "
    "아메리카노 카페라떼 카푸치노 바닐라라떼 녹차 홍차 유자차 생과일주스 팥빙수 케이크 "
    "생맥주 소주 맥주 막걸리 콜라 사이다 치킨 양념치킨 후라이드 반반 피자 햄버거"
).split()
DISTRICTS = (
    "강남구 서초구 송파구 마포구 종로구 중구 용산구 성동구 관악구 노원구 은평구 해운대구 수영구 "
    "남구 북구 동구 서구 수성구 달서구 유성구 분당구 팔달구 덕양구 일산동구"
).split()
CITIES = "서울시 부산시 대구시 인천시 광주시 대전시 울산시 수원시 성남시 고양시 전주시 춘천시 제주시".split()
DONGS = (
    "역삼동 삼성동 논현동 신사동 청담동 서교동 합정동 연남동 망원동 이태원동 한남동 명륜동 혜화동 "
    "신림동 봉천동 상계동 중계동 우동 중동 좌동 범어동 둔산동 정자동 서현동 인계동"
).split()
ROADS = (
    "테헤란로 강남대로 세종대로 을지로 퇴계로 종로 한강대로 올림픽로 양화로 와우산로 중앙로 시청로 "
    "번영로 해운대로 달구벌대로 대학로 충장로 동성로 경기대로 판교로 문화로 평화로 희망길 행복길 "
    "꽃길 은행나무길 장미길 새싹길"
).split()
ENGLISH = (
    "OPEN CLOSED SALE COFFEE BAKERY PHARMACY HOTEL PARKING EXIT ENTRANCE PUSH PULL TOILET RESTROOM "
    "WELCOME THANK YOU CAFE RESTAURANT MARKET SHOP STORE MART BAR PUB GRILL KITCHEN BEAUTY HAIR NAIL "
    "STUDIO FITNESS GYM YOGA CLINIC DENTAL OPTICAL BOOKS MUSIC PIZZA BURGER CHICKEN NOODLE TEA JUICE "
    "DESSERT FRESH FOOD SPECIAL MENU TODAY NEW HOT ICE DELIVERY TAKEOUT FREE WIFI BUS STOP TAXI SUBWAY "
    "STATION CENTER OFFICE BANK POST POLICE FIRE HOSPITAL SCHOOL PARK MUSEUM LIBRARY CINEMA THEATER "
    "NORTH SOUTH EAST WEST FLOOR ROOM HALL GATE LOBBY INFO NOTICE CAUTION DANGER WARNING SLOW ONLY "
    "STAFF PRIVATE RESERVED VACANCY RENT LEASE LOUNGE SALON SPA MOTEL BAKE HOUSE HOME GARDEN FLOWER "
    "SEOUL BUSAN KOREA CITY STREET ROAD AVENUE PLAZA TOWER BUILDING"
).split()
SYLLABLE_ONSET = "b c d f g h j k l m n p r s t v z br cr dr fr gr kr pr st tr ch sh".split()
SYLLABLE_VOWEL = "a e i o u ai ea io oa ou y".split()
SYLLABLE_CODA = ["", "", "", "n", "r", "s", "x", "l", "m", "t", "nd", "rk", "ng"]
BRAND_SUFFIX = "Mart Cafe Studio Bakery Coffee Store Shop Lab Hair Nail Bistro Pub Co. Plus Inc. House Market".split()


def _brand_name(rng: random.Random) -> str:
    parts = [rng.choice(SYLLABLE_ONSET) + rng.choice(SYLLABLE_VOWEL) for _ in range(rng.randint(1, 3))]
    word = "".join(parts) + rng.choice(SYLLABLE_CODA)
    return word[:9]


def _case(rng: random.Random, word: str) -> str:
    return rng.choice((word.upper(), word.capitalize(), word.lower(), word.upper()))


def _price(rng: random.Random) -> str:
    amount = rng.choice((rng.randint(1, 99) * 500, rng.randint(1, 30) * 1000, rng.randint(1, 9) * 100))
    form = rng.random()
    if form < 0.6:
        return f"{amount:,}원"
    if form < 0.8:
        return f"{amount}원"
    if form < 0.9 and amount % 10000 == 0:
        return f"{amount // 10000}만원"
    return f"${rng.randint(1, 99)}.{rng.randint(0, 99):02d}" if rng.random() < 0.5 else f"{amount:,}"


def _phone(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return f"010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
    if kind < 0.6:
        return f"02-{rng.randint(100, 9999)}-{rng.randint(1000, 9999)}"
    if kind < 0.8:
        return f"0{rng.randint(31, 64)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    if kind < 0.9:
        return f"{rng.choice(('1588', '1577', '1644', '1600'))}-{rng.randint(1000, 9999)}"
    return f"TEL {rng.randint(100, 999)}-{rng.randint(1000, 9999)}"


def read_words(name: str) -> list[str]:
    """The word list ``words/<name>.txt`` (one word a line)."""
    return [w for w in (WORDS_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines() if w]


def _phrase(rng: random.Random, words: list[str], count: int, limit: int = MAX_LENGTH) -> str:
    """``count`` random words joined by spaces (fewer where they would pass ``limit`` characters, but
    at least two: words are drawn until two fit)."""
    picked = [rng.choice([w for w in rng.sample(words, 20) if len(w) <= limit // 2] or ["말"])]
    for _ in range(count * 4):
        word = rng.choice(words)
        if len(" ".join(picked)) + 1 + len(word) <= limit:
            picked.append(word)
            if len(picked) == count:
                break
    return " ".join(picked)


def _date(rng: random.Random) -> str:
    y, m, d = rng.randint(1990, 2030), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice((f"{y}.{m:02d}.{d:02d}", f"{y}-{m:02d}-{d:02d}", f"{m}월 {d}일", f"{y}년 {m}월 {d}일",
                       f"{m:02d}/{d:02d}", f"{m}/{d}({rng.choice(WEEKDAYS)})", f"{y}. {m}. {d}.",
                       f"{m}.{d} {rng.choice(WEEKDAYS)}요일"))


def _time(rng: random.Random) -> str:
    h, m = rng.randint(0, 23), rng.choice((0, 0, 10, 15, 20, 30, 30, 40, 45, 50))
    h2 = min(23, h + rng.randint(1, 12))
    return rng.choice((f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}~{h2:02d}:{m:02d}", f"오전 {h % 12 or 12}:{m:02d}",
                       f"오후 {h % 12 or 12}시", f"{h}시 {m}분", f"AM {h % 12 or 12}:{m:02d}", f"PM {h % 12 or 12}:{m:02d}",
                       f"영업시간 {h:02d}:00-{h2:02d}:00", f"{h}:{m:02d} - {h2}:{m:02d}"))


def _unit(rng: random.Random) -> str:
    unit = rng.choice(UNITS)
    number = rng.choice((str(rng.randint(1, 999)), f"{rng.randint(0, 99)}.{rng.randint(0, 9)}", f"{rng.randint(1, 99) * 100:,}"))
    return rng.choice((f"{number}{unit}", f"{number} {unit}", f"{number}{unit}" if unit.isascii() else f"약 {number}{unit}"))


def _real_vocabulary(rng: random.Random, add: Callable[[str, str, str], None]) -> None:
    """Dictionary words, long phrases, dates, times, units, ₩ prices, single characters, mixed texts."""
    ko, en = read_words("ko_words"), read_words("en_words")
    for word in rng.sample(ko, 7000):
        add(word, "word_ko", "ko")
    for word in rng.sample(en, 3500):
        add(_case(rng, word), "word_en", "en")
    for _ in range(1200):
        add(_phrase(rng, ko, rng.randint(3, 6)), "phrase", "ko")
    for _ in range(500):
        add(_case(rng, _phrase(rng, en, rng.randint(3, 5))), "phrase", "en")
    for _ in range(600):
        add(_date(rng), "date", "mixed")
    for _ in range(500):
        add(_time(rng), "time", "mixed")
    for _ in range(700):
        add(_unit(rng), "unit", "mixed")
    for _ in range(500):
        amount = rng.choice((rng.randint(1, 99) * 500, rng.randint(1, 300) * 1000))
        add(rng.choice((f"₩{amount:,}", f"₩ {amount:,}", f"{amount:,}₩", f"{amount // 1000}천원", f"{amount:,}원~")),
            "price", "mixed")
    singles = list(ksx1001_hangul())
    for _ in range(900):
        form = rng.random()
        add(rng.choice(singles) if form < 0.6 else rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
            if form < 0.8 else str(rng.randint(0, 9)) if form < 0.95 else rng.choice(SYMBOLS + "#&@%+*"), "single", "mixed")
    for _ in range(1500):
        form = rng.random()
        if form < 0.3:
            text = f"{rng.choice(ko)} {_case(rng, rng.choice(en))}"
        elif form < 0.5:
            text = f"{_unit(rng)} {rng.choice(ko)}"
        elif form < 0.7:
            text = f"{rng.choice(ko)}{rng.randint(1, 99)}"
        elif form < 0.85:
            text = f"{_case(rng, rng.choice(en))} {rng.choice(SHOP_TYPE)} {rng.randint(1, 9)}호점"
        else:
            text = f"{rng.choice(('T.', 'Tel.', 'TEL ', '문의 ', 'H.P '))}{_phone(rng)}"
        add(text, "mixed", "mixed")


def build_rows(seed: int = 0) -> list[tuple[str, str, str]]:
    """Every corpus row as ``(text, category, language)``, deterministic for a seed."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, str]] = []

    def add(text: str, category: str, language: str) -> None:
        rows.append((text, category, language))

    for prefix in SHOP_PREFIX:
        for kind in rng.sample(SHOP_TYPE, 40):
            name = prefix + kind if rng.random() < 0.7 else f"{prefix} {kind}"
            add(name, "shop", "ko")
            if rng.random() < 0.15:
                add(f"{prefix}{kind} {rng.choice(BRANCH)}", "shop", "ko")
    for kind in SHOP_TYPE:
        add(kind, "shop", "ko")
    for word in SIGNS:
        add(word, "sign", "ko")
        add(word, "sign", "ko")
    for _ in range(900):
        template = rng.choice(SIGN_TEMPLATES)
        add(template.format(p=rng.choice((10, 20, 30, 40, 50, 60, 70)), h=rng.randint(1, 12),
                            n=rng.randint(1, 30)), "sign", "mixed" if any(c.isascii() and c.isalpha() for c in template) else "ko")
    for food in FOODS:
        add(food, "menu", "ko")
        for _ in range(25):
            add(f"{food} {_price(rng)}" if rng.random() < 0.6 else _price(rng) if rng.random() < 0.3
                else f"{food} {rng.randint(1, 4)}인분", "menu", "ko")
    for _ in range(2400):
        form = rng.random()
        if form < 0.3:
            text = f"{rng.choice(ROADS)} {rng.randint(1, 350)}"
        elif form < 0.5:
            text = f"{rng.choice(DONGS)} {rng.randint(1, 999)}-{rng.randint(1, 99)}"
        elif form < 0.65:
            text = f"{rng.choice(DISTRICTS)} {rng.choice(DONGS)}"
        elif form < 0.75:
            text = f"{rng.choice(CITIES)} {rng.choice(DISTRICTS)}"
        elif form < 0.85:
            text = f"{rng.randint(1, 20)}층 {rng.randint(101, 1520)}호"
        else:
            text = f"{rng.choice(ROADS)}{rng.randint(1, 99)}길 {rng.randint(1, 60)}"
        add(text, "address", "ko")
    for _ in range(900):
        add(_price(rng), "price", "mixed")
    for _ in range(900):
        add(_phone(rng), "phone", "mixed")
    for word in ENGLISH:
        for _ in range(8):
            add(_case(rng, word), "english", "en")
    for _ in range(600):
        a, b = rng.sample(ENGLISH, 2)
        add(_case(rng, f"{a} {b}"), "english", "en")
    for _ in range(1600):
        name = _brand_name(rng).capitalize()
        form = rng.random()
        text = name if form < 0.4 else f"{name} {rng.choice(BRAND_SUFFIX)}" if form < 0.8 else name.upper()
        add(text, "brand", "en")
    for _ in range(2000):
        form = rng.random()
        brand = _brand_name(rng)
        if form < 0.25:
            text = f"{brand.capitalize()} {rng.choice(SHOP_TYPE)}"
        elif form < 0.45:
            text = f"{rng.choice(SHOP_PREFIX)} {_case(rng, rng.choice(ENGLISH))}"
        elif form < 0.6:
            text = f"{brand.upper()} {rng.choice(BRANCH)}"
        elif form < 0.75:
            text = f"{rng.choice(('PC방', 'Wi-Fi 무료', 'No.1', 'Best', 'TOP', 'K-', 'A동', 'B동', 'ATM'))}" + (
                f" {rng.choice(SHOP_TYPE)}" if rng.random() < 0.5 else "")
        elif form < 0.9:
            text = f"{rng.choice(SHOP_TYPE)} {rng.randint(1, 99)}{rng.choice(('F', '층', '호점', 'm', '%'))}"
        else:
            text = f"{rng.choice(FOODS)} & {_case(rng, rng.choice(ENGLISH))}"
        add(text, "mixed", "mixed")
    for _ in range(500):
        form = rng.random()
        text = (str(rng.randint(0, 99999)) if form < 0.4 else f"No.{rng.randint(1, 999)}" if form < 0.6
                else f"{rng.randint(1, 12)}/{rng.randint(1, 31)}" if form < 0.8 else f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}")
        add(text, "number", "mixed")
    _real_vocabulary(rng, add)
    syllables = list(ksx1001_hangul())
    for _ in range(2):  # two passes: every KS X 1001 syllable appears at least twice
        rng.shuffle(syllables)
        i = 0
        while i < len(syllables):
            n = rng.randint(1, 6)
            add("".join(syllables[i:i + n]), "random_syllables", "ko")
            i += n
    return [r for r in rows if r[0].strip()]


def write_xlsx(rows: list[tuple[str, str, str]], out: Path) -> None:
    """Write the rows under a ``text | category | language`` header, atomically."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "samples"
    sheet.append(["text", "category", "language"])
    for row in rows:
        sheet.append(list(row))
    sheet.column_dimensions["A"].width = 28
    fixed = datetime(2024, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    tmp = out.with_name(f".{out.name}.tmp")
    workbook.save(tmp)
    tmp.replace(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = build_rows(args.seed)
    allowed = set(ksx1001_hangul()) | set(printable_ascii()) | set(SYMBOLS)
    bad = {c for text, _, _ in rows for c in text if c not in allowed}
    if bad:
        raise SystemExit(f"characters outside KS X 1001 + ASCII + {SYMBOLS}: {sorted(bad)}")
    write_xlsx(rows, args.out)
    cats: dict[str, int] = {}
    for _, cat, _ in rows:
        cats[cat] = cats.get(cat, 0) + 1
    print(f"wrote {len(rows)} rows to {args.out}: {cats}")


if __name__ == "__main__":
    main()
