"""A deterministic demo graph: the real seed rows plus clearly synthetic people and projects.

Everything synthetic is labelled: ids start with ``demo-``, people carry ``synthetic: true`` and an
``@example.org`` address, project and (from scale 2) reserve and institution names start with
``[Demo] ``. The synthetic relationships also join real reserves, institutions and networks
(themes addressed, WNMBR and regional memberships, project sites): demo data, not facts.

The output depends only on ``(scale, seed)``: one ``random.Random(seed)`` is drawn from in a fixed
order, and only lists and insertion-ordered dicts are iterated. Rows stream: all nodes first, then
all relationships, keeping only small integer tables in memory. Each relationship is produced in
exactly one place, with distinct targets, so no ``(type, from, to)`` is emitted twice.
"""

import datetime
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Final

from graph.model import Kind, RelType
from graph.seed.real import (
    SECRETARIAT_RESERVE_ID,
    WNMBR_FOUNDED,
    WNMBR_ID,
    Row,
    node_row,
    rel_row,
    seed_node_rows,
    seed_relationship_rows,
)

PEOPLE_PER_SCALE: Final = 400
PROJECTS_PER_SCALE: Final = 150
# From scale 2 on: so that scale 15 is about 10k nodes, 150 about 100k and 1500 about 1M.
RESERVES_PER_SCALE: Final = 36
INSTITUTIONS_PER_SCALE: Final = 80

GLACIER_THEME: Final = "glacier-retreat-cryosphere"
PERSON_ROLES: Final = ("lead", "researcher", "manager", "field", "advisor")

_WNMBR_START: Final = datetime.date.fromisoformat(WNMBR_FOUNDED)
_WNMBR_END: Final = datetime.date(2026, 6, 30)
_REGIONAL_END: Final = datetime.date(2021, 12, 6)


# --- Regions ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Region:
    key: str
    countries: tuple[str, ...]  # where synthetic reserves, institutions and people are placed
    networks: tuple[str, ...]  # regional networks its reserves and institutions may join
    prefixes: tuple[str, ...]  # place-name patterns for synthetic reserves ({} is a made-up root)
    syllables: tuple[str, ...]
    high: bool  # glaciated ranges: the cryosphere themes are likely


REGIONS: Final[tuple[Region, ...]] = (
    Region(
        "iberia",
        ("ES", "ES", "ES", "PT", "AD"),
        ("rerb", "euromab", "iberomab"),
        ("Sierra de {}", "Montes de {}", "Valle de {}", "Picos de {}", "Serra da {}"),
        ("al", "ba", "cor", "de", "ga", "la", "mo", "ra", "so", "ve", "lle", "ña", "ro", "nar"),
        high=False,
    ),
    Region(
        "alps",
        ("AT", "CH", "DE", "FR", "IT", "SI"),
        ("alparc", "euromab"),
        ("Val {}", "Hohe {}", "Monte {}", "Massif du {}", "{}tal"),
        ("berg", "ach", "lin", "mat", "ter", "ron", "gel", "vis", "tor", "ers", "fen", "ria"),
        high=True,
    ),
    Region(
        "carpathians-caucasus",
        ("PL", "SK", "UA", "RO", "HR", "ME", "GE", "AM", "RU"),
        ("euromab",),
        ("{} Mountains", "Upper {}", "{} Highlands", "{} Range"),
        ("ta", "tra", "vel", "go", "ra", "ni", "shk", "dze", "bor", "mar", "chy", "lo"),
        high=False,
    ),
    Region(
        "central-asia",
        ("KZ", "KG", "TJ", "UZ", "MN", "RU"),
        ("eabrn",),
        ("{} Range", "{}-Too", "{} Uul", "Upper {}"),
        ("ala", "tau", "kul", "sar", "bek", "uul", "khan", "tur", "jal", "min", "ak", "su"),
        high=True,
    ),
    Region(
        "himalaya-tibet",
        ("IN", "NP", "BT", "CN", "PK"),
        ("eabrn",),
        ("{} Himal", "{} Valley", "{} Massif", "Upper {}"),
        ("na", "lang", "kar", "dhu", "gya", "tse", "ri", "kang", "mal", "shi", "pa", "rong"),
        high=True,
    ),
    Region(
        "east-asia",
        ("CN", "CN", "JP", "JP", "KR"),
        ("eabrn",),
        ("Mount {}", "{} Mountains", "{} Highlands", "{}san"),
        ("hua", "shan", "ling", "taka", "yama", "mi", "ko", "seo", "jin", "feng", "ku", "wu"),
        high=False,
    ),
    Region(
        "africa",
        ("KE", "ET", "MA", "TZ", "UG", "RW"),
        ("afrimab",),
        ("Mount {}", "{} Highlands", "{} Escarpment", "{} Massif"),
        ("ki", "ma", "njo", "go", "ru", "we", "aba", "bale", "tou", "zi", "ka", "lu"),
        high=False,
    ),
    Region(
        "andes",
        ("AR", "CL", "PE", "EC", "CO", "BO"),
        ("iberomab", "condesan"),
        ("Cordillera {}", "Nevado {}", "Páramo de {}", "Valle del {}"),
        ("ca", "hua", "que", "chi", "pa", "ra", "co", "lla", "ma", "yo", "ti", "pu"),
        high=True,
    ),
    Region(
        "north-america",
        ("CA", "US", "MX"),
        ("euromab", "iberomab"),
        ("{} Range", "{} Peaks", "Sierra {}", "{} Plateau"),
        ("sha", "to", "wa", "ker", "mon", "ta", "bel", "ston", "ra", "co", "lan", "ver"),
        high=True,
    ),
)
# The co-secretariat and the host of the 2024 world meeting always take part in projects.
_NEVER_ISOLATED: Final = frozenset({SECRETARIAT_RESERVE_ID, "ordino"})
GLOBAL: Final = -1  # region index of organisations working everywhere (the bridges)

_REGION_OF_COUNTRY: Final[dict[str, str]] = {
    country: region.key for region in REGIONS for country in region.countries
} | {"RU": "carpathians-caucasus", "CN": "east-asia", "MN": "central-asia"}

# Real reserves whose country alone puts them in the wrong range.
_RESERVE_REGION: Final[dict[str, str]] = {
    "qomolangma": "himalaya-tibet",
    "yading": "himalaya-tibet",
    "gaoligong-mountain": "himalaya-tibet",
    "wolong": "himalaya-tibet",
    "jiuzhaigou": "himalaya-tibet",
    "huanglong": "himalaya-tibet",
    "bogeda": "central-asia",
    "altaisky": "central-asia",
    "katunskiy": "central-asia",
}
# Real institutions: where they work, when not their headquarters' region; "" is global.
_INSTITUTION_REGION: Final[dict[str, str]] = {
    "unesco-mab": "",
    "rcees-cas": "",
    "fao": "",
    "sdc": "",
    "uhi": "",
    "ibcas": "himalaya-tibet",
    "icimod": "himalaya-tibet",
    "nabu": "africa",
    "succow-foundation": "central-asia",
    "nature-and-culture-international": "andes",
}

# Which networks a reserve or institution in a given country may join, besides its region's.
_NETWORK_COUNTRIES: Final[dict[str, frozenset[str]]] = {
    "rerb": frozenset({"ES"}),
    "euromab": frozenset(
        [
            "AD",
            "AT",
            "CH",
            "DE",
            "FR",
            "IT",
            "SI",
            "PL",
            "SK",
            "UA",
            "RO",
            "HR",
            "ME",
            "GE",
            "AM",
            "RU",
            "ES",
            "PT",
            "GB",
            "CA",
            "US",
        ]
    ),
    "iberomab": frozenset(["ES", "PT", "AD", "AR", "CL", "PE", "EC", "CO", "BO", "MX"]),
    "eabrn": frozenset(["CN", "JP", "KR", "MN", "KZ", "RU"]),
    "afrimab": frozenset(["KE", "ET", "MA", "TZ", "UG", "RW"]),
    "alparc": frozenset(["AT", "CH", "DE", "FR", "IT", "SI"]),
    "condesan": frozenset(["AR", "CL", "PE", "EC", "CO", "BO"]),
}
_GLOBAL_NETWORKS: Final = ("mountain-partnership", "mri")

# Rough country boxes (lat min, lat max, lon min, lon max) for synthetic reserves.
_COUNTRY_BOX: Final[dict[str, tuple[float, float, float, float]]] = {
    "ES": (36.8, 43.4, -8.5, 2.8),
    "PT": (37.2, 42.0, -8.8, -6.3),
    "AD": (42.43, 42.65, 1.41, 1.78),
    "AT": (46.5, 47.7, 9.6, 15.5),
    "CH": (45.9, 47.2, 6.2, 10.4),
    "DE": (47.3, 47.8, 10.0, 13.0),
    "FR": (44.0, 46.3, 5.7, 7.6),
    "IT": (44.2, 46.8, 6.8, 13.5),
    "SI": (45.9, 46.6, 13.4, 15.0),
    "PL": (49.2, 50.3, 18.8, 22.8),
    "SK": (48.6, 49.4, 18.5, 22.5),
    "UA": (47.9, 49.2, 22.5, 25.5),
    "RO": (45.2, 47.8, 22.5, 26.5),
    "HR": (44.0, 45.5, 14.5, 16.5),
    "ME": (42.4, 43.3, 18.8, 20.2),
    "GE": (41.5, 43.3, 41.5, 46.5),
    "AM": (39.0, 41.2, 43.6, 46.5),
    "RU": (42.5, 44.0, 39.5, 47.5),
    "KZ": (42.2, 45.0, 70.0, 82.0),
    "KG": (39.5, 42.8, 70.0, 80.0),
    "TJ": (37.0, 40.0, 68.0, 75.0),
    "UZ": (38.5, 41.5, 68.0, 71.5),
    "MN": (46.0, 50.0, 88.0, 107.0),
    "IN": (28.5, 34.5, 76.0, 94.0),
    "NP": (27.5, 30.0, 81.0, 88.0),
    "BT": (26.9, 28.2, 89.0, 92.0),
    "CN": (25.0, 43.0, 98.0, 128.0),
    "PK": (34.5, 36.8, 71.5, 77.0),
    "JP": (33.5, 43.5, 130.5, 144.0),
    "KR": (35.0, 38.3, 126.5, 129.0),
    "KE": (-1.5, 1.5, 34.5, 38.0),
    "ET": (6.0, 13.5, 36.0, 40.5),
    "MA": (30.5, 35.0, -9.0, -3.0),
    "TZ": (-9.5, -2.5, 33.0, 38.0),
    "UG": (-1.4, 1.5, 29.6, 34.6),
    "RW": (-2.7, -1.4, 29.3, 30.5),
    "AR": (-41.0, -24.0, -72.0, -65.0),
    "CL": (-45.0, -18.5, -73.5, -68.5),
    "PE": (-16.0, -5.0, -79.5, -70.0),
    "EC": (-4.5, 1.0, -79.5, -77.5),
    "CO": (1.0, 11.0, -77.5, -72.0),
    "BO": (-21.5, -14.0, -69.5, -64.0),
    "CA": (49.0, 56.0, -125.0, -114.0),
    "US": (35.0, 48.5, -122.0, -105.0),
    "MX": (17.0, 27.0, -108.0, -97.0),
}

# --- Names --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Names:
    given_m: tuple[str, ...]
    given_f: tuple[str, ...]
    family: tuple[str | tuple[str, str], ...]  # a pair is (masculine, feminine)
    family_first: bool = False
    joiner: str = " "


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SLAVIC_F: Final = _t("Anna Katarzyna Magdalena Agnieszka Zofia Małgorzata")

NAMES: Final[dict[str, Names]] = {
    "es": Names(
        _t("José Jesús Álvaro Íñigo Martín Andrés Sebastián Joaquín Ramón Rubén"),
        _t("María Lucía Inés Begoña Sofía Mónica Ángela Verónica Ainhoa Pilar"),
        _t("García Fernández Martínez López González Sánchez Pérez Rodríguez Núñez Muñoz")
        + _t("Gutiérrez Álvarez Ibáñez Peña Díaz Suárez Castañeda Quispe Mamani Cóndor"),
    ),
    "pt": Names(
        _t("João António Tomás Gonçalo Sebastião"),
        _t("Conceição Inês Beatriz Leonor Joana"),
        _t("Gonçalves Magalhães Araújo Simões Conceição Lourenço"),
    ),
    "fr": Names(
        _t("François Jérôme Loïc Frédéric Benoît Hervé Rémi Aurélien"),
        _t("Élise Hélène Chloé Anaïs Noémie Mélanie Gaëlle Zoé"),
        _t("Lefèvre Dupré Bérard Mézières Lemaître Girard Chevalier Fauré"),
    ),
    "de": Names(
        _t("Jürgen Jörg Matthias Lukas Günther Stefan Björn Maximilian"),
        _t("Jördis Käthe Anneliese Sabine Lena Bärbel Marlene Ursula"),
        _t("Müller Schäfer Bäumler Köhler Groß Hofstätter Weiß Huber Gruber Fuchs"),
    ),
    "it": Names(
        _t("Niccolò Lorenzo Matteo Davide Giacomo Andrea"),
        _t("Giulia Chiara Francesca Elena Martina Alessia"),
        _t("Rossi Bianchi Ferrari Esposito Colombo Ricci Bernardi Marchetti"),
    ),
    "sl": Names(
        _t("Matjaž Luka Žiga Andrej Miloš Dragan Goran"),
        _t("Špela Maša Nataša Jelena Ivana Milica Mojca"),
        _t("Novak Horvat Kovačič Krajnc Zupančič Petrović Jovanović Čadež Šarić"),
    ),
    "pl": Names(
        _t("Łukasz Paweł Michał Wojciech Krzysztof Jan Tomasz"),
        _SLAVIC_F,
        (
            ("Wójcik", "Wójcik"),
            ("Kowalski", "Kowalska"),
            ("Nowak", "Nowak"),
            ("Wiśniewski", "Wiśniewska"),
            ("Dąbrowski", "Dąbrowska"),
            ("Żukowski", "Żukowska"),
            ("Szymański", "Szymańska"),
        ),
    ),
    "ru": Names(
        _t("Алексей Дмитрий Сергей Иван Николай Михаил Андрей"),
        _t("Анна Екатерина Мария Ольга Наталья Татьяна Елена"),
        (
            ("Иванов", "Иванова"),
            ("Смирнов", "Смирнова"),
            ("Кузнецов", "Кузнецова"),
            ("Попов", "Попова"),
            ("Соколов", "Соколова"),
            ("Волков", "Волкова"),
        ),
    ),
    "uk": Names(
        _t("Олександр Андрій Тарас Богдан Юрій"),
        _t("Оксана Олена Ірина Наталія Ганна"),
        _t("Шевченко Коваленко Бондаренко Ткаченко Кравчук Мельник"),
    ),
    "ka": Names(
        _t("გიორგი დავით ლევან ნიკოლოზ"),
        _t("ნინო მარიამ თამარ ანა"),
        _t("ბერიძე კაპანაძე გელაშვილი მაისურაძე"),
    ),
    "kk": Names(
        _t("Nurlan Yerlan Aibek Timur Daniyar Bakyt Azamat"),
        _t("Aigerim Dana Gulnara Saule Zarina Ainura Aizhan"),
        (
            ("Nurlanov", "Nurlanova"),
            ("Zhaksylykov", "Zhaksylykova"),
            ("Seitkali", "Seitkali"),
            ("Abdrakhmanov", "Abdrakhmanova"),
            ("Ismailov", "Ismailova"),
            ("Tokhtarov", "Tokhtarova"),
        ),
    ),
    "mn": Names(
        _t("Батбаяр Ганбаатар Тэмүүлэн Мөнхбат Болд"),
        _t("Оюунчимэг Сарангэрэл Номин Энхжин Солонго"),
        _t("Дорж Батсүх Ганбат Эрдэнэ Пүрэв"),
    ),
    "zh": Names(
        _t("伟 强 磊 军 洋 勇 杰 涛 明 浩"),
        _t("芳 娜 敏 静 丽 艳 秀英 婷 雪 琳"),
        _t("张 王 李 刘 陈 杨 赵 黄 周 吴 徐 孙"),
        family_first=True,
        joiner="",
    ),
    "ja": Names(
        _t("健 翔太 大輔 拓也 誠 浩二"),
        _t("花子 陽子 美咲 由美 彩 直子"),
        _t("佐藤 鈴木 高橋 田中 渡辺 伊藤 山本 中村"),
        family_first=True,
    ),
    "ko": Names(
        _t("민준 서준 도윤 지훈 현우"),
        _t("서연 지우 수빈 하은 민지"),
        _t("김 이 박 최 정 강"),
        family_first=True,
        joiner="",
    ),
    "hi": Names(
        _t("Arjun Rahul Vikram Sanjay Anil Karan Pemba Tenzing"),
        _t("Priya Ananya Kavita Sunita Deepa Meera Dolma Pema"),
        _t("Sharma Negi Rawat Bhutia Lepcha Gurung Tamang Sherpa Thapa Joshi"),
    ),
    "am": Names(
        _t("Abebe Tesfaye Mulugeta Dawit Yohannes Getachew"),
        _t("Almaz Tigist Meseret Hirut Selam Bethlehem"),
        _t("Bekele Tadesse Haile Girma Alemu Woldemariam"),
    ),
    "sw": Names(
        _t("Wanjiru Kamau Otieno Baraka Juma Mwangi Kipchoge"),
        _t("Akinyi Wambui Njeri Amina Zawadi Neema Achieng"),
        _t("Mwangi Ochieng Kariuki Njoroge Mutua Mugisha Uwimana Nyambura"),
    ),
    "ar": Names(
        _t("Youssef Mohamed Hamza Rachid Karim Said"),
        _t("Fatima Khadija Salma Nadia Houda Imane"),
        _t("El Amrani Benali Ouazzani Tazi Alaoui Idrissi"),
    ),
    "en": Names(
        _t("James Michael Robert David Daniel Thomas"),
        _t("Sarah Emily Jessica Laura Rachel Megan"),
        _t("Smith Johnson Brown Taylor Wilson Anderson MacDonald O'Neill"),
    ),
}

_LANGUAGES_OF_COUNTRY: Final[dict[str, tuple[str, ...]]] = {
    "ES": ("es", "es", "es"),
    "AD": ("es", "fr"),
    "PT": ("pt",),
    "FR": ("fr",),
    "CH": ("de", "de", "fr", "it"),
    "AT": ("de",),
    "DE": ("de",),
    "IT": ("it",),
    "SI": ("sl",),
    "HR": ("sl",),
    "ME": ("sl",),
    "PL": ("pl",),
    "SK": ("pl", "sl"),
    "UA": ("uk",),
    "RO": ("it", "sl"),
    "RU": ("ru",),
    "GE": ("ka",),
    "AM": ("ru", "ka"),
    "KZ": ("kk", "ru"),
    "KG": ("kk", "ru"),
    "TJ": ("kk",),
    "UZ": ("kk",),
    "MN": ("mn",),
    "IN": ("hi",),
    "NP": ("hi",),
    "BT": ("hi",),
    "PK": ("hi",),
    "CN": ("zh",),
    "JP": ("ja",),
    "KR": ("ko",),
    "KE": ("sw",),
    "TZ": ("sw",),
    "UG": ("sw",),
    "RW": ("sw", "fr"),
    "ET": ("am",),
    "MA": ("ar", "fr"),
    "AR": ("es",),
    "CL": ("es",),
    "PE": ("es",),
    "EC": ("es",),
    "CO": ("es",),
    "BO": ("es",),
    "MX": ("es",),
    "CA": ("en", "en", "fr"),
    "US": ("en",),
    "GB": ("en",),
}
_LANGUAGE_KEYS: Final = tuple(NAMES)


def _person_name(rng: random.Random, country: str) -> str:
    languages = _LANGUAGES_OF_COUNTRY.get(country, ("en",))
    # Some people live away from where their name comes from.
    language = rng.choice(_LANGUAGE_KEYS) if rng.random() < 0.08 else rng.choice(languages)
    names = NAMES[language]
    female = rng.random() < 0.5
    given = rng.choice(names.given_f if female else names.given_m)
    family_entry = rng.choice(names.family)
    family = family_entry if isinstance(family_entry, str) else family_entry[int(female)]
    parts = (family, given) if names.family_first else (given, family)
    return names.joiner.join(parts)


# --- Themes -------------------------------------------------------------------------------------

# Activity phrases for project titles: "[Demo] <phrase> in <reserve>".
THEME_PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "climate-change-adaptation": ("Climate adaptation planning", "Adapting livelihoods to warming"),
    "climate-change-mitigation": ("Carbon storage assessment", "Low-carbon transition pilots"),
    GLACIER_THEME: ("Glacier retreat monitoring", "Snow and permafrost observatory"),
    "global-change-monitoring": ("Long-term global change observatory", "GLOCHAMORE revisited"),
    "biodiversity-monitoring": ("Altitudinal biodiversity survey", "Pollinator monitoring"),
    "threatened-endemic-species": ("Endemic flora recovery", "Rare species conservation"),
    "large-carnivore-coexistence": (
        "Living with large carnivores",
        "Human-wildlife conflict mitigation",
    ),
    "ecological-connectivity": ("Wildlife corridor mapping", "Transboundary connectivity"),
    "invasive-species": ("Invasive plant early warning", "Upslope invasion tracking"),
    "wildfire": ("Wildfire risk reduction", "Post-fire forest recovery"),
    "natural-hazards-drr": ("Avalanche and landslide risk", "Glacial lake outburst preparedness"),
    "water-resources": ("Mountain water tower assessment", "Spring and stream monitoring"),
    "mountain-forests": ("Protective forest management", "Mountain forest dynamics"),
    "transhumance-pastoralism": ("Transhumance routes revival", "Pastoral landscape mapping"),
    "grazing-land-degradation": ("Grassland restoration", "Soil erosion control"),
    "agrobiodiversity-crop-wild-relatives": ("Heritage crop varieties", "Crop wild relatives"),
    "local-products-labels": ("Biosphere reserve product label", "Mountain value chains"),
    "sustainable-tourism": ("Sustainable visitor management", "Community ecotourism"),
    "depopulation-rural-livelihoods": ("Keeping villages alive", "Youth and mountain livelihoods"),
    "local-traditional-knowledge": (
        "Traditional ecological knowledge",
        "Elders' knowledge archive",
    ),
    "indigenous-peoples": ("Indigenous stewardship", "Territorial rights mapping"),
    "cultural-heritage-sacred-mountains": ("Sacred mountain heritage", "Cultural landscape study"),
    "participatory-governance": ("Participatory zoning", "Co-management dialogue"),
    "education-sustainable-development": ("Mountain school programme", "Visitor centre education"),
    "applied-research-science-policy": ("Science for managers", "Applied research platform"),
    "knowledge-exchange-networking": ("Reserve twinning exchange", "Good practice exchange"),
    "land-use-planning-zoning": ("Land-use change analysis", "Zonation review"),
    "extractive-industries": ("Mining impact assessment", "Quarry restoration"),
    "poaching-wildlife-use": ("Anti-poaching monitoring", "Sustainable wild harvest"),
    "medicinal-plants-ntfp": ("Medicinal plant cultivation", "Non-timber forest products"),
    "ecosystem-services": ("Ecosystem services valuation", "Mapping mountain benefits"),
    "dark-sky-protection": ("Dark-sky certification", "Night sky protection"),
}
# Relative weights when a reserve picks the themes it addresses (1.0 when not listed).
_THEME_WEIGHT: Final[dict[str, float]] = {
    "climate-change-adaptation": 2.5,
    "biodiversity-monitoring": 2.5,
    "sustainable-tourism": 2.0,
    "education-sustainable-development": 2.0,
    "water-resources": 1.5,
    "knowledge-exchange-networking": 1.5,
    "dark-sky-protection": 0.3,
    "extractive-industries": 0.5,
}

_AFFILIATION_ROLES: Final = (
    ("researcher",),
    ("researcher",),
    ("researcher",),
    ("professor",),
    ("technician",),
    ("director",),
    ("officer",),
    ("student",),
    ("researcher", "lecturer"),
)
_RESERVE_ROLES: Final = (
    ("ranger",),
    ("manager",),
    ("educator",),
    ("researcher",),
    ("coordinator",),
    ("ranger", "educator"),
)
_PARTNER_ROLES: Final = (
    ("partner",),
    ("partner",),
    ("partner",),
    ("funder",),
    ("partner", "funder"),
)
_INSTITUTION_KINDS: Final = ("research_centre", "university", "ngo", "government")
_INSTITUTION_NAME: Final[dict[str, str]] = {
    "research_centre": "[Demo] {} Institute for Mountain Research",
    "university": "[Demo] University of {}",
    "ngo": "[Demo] {} Mountain Conservation Society",
    "government": "[Demo] {} Regional Environment Agency",
}


def _weighted_sample(
    rng: random.Random, items: Sequence[int], weights: Sequence[float], k: int
) -> list[int]:
    """Up to k distinct items drawn without replacement by weight (Efraimidis-Spirakis keys);
    items of weight 0 are never drawn."""
    keyed = sorted(
        (
            (rng.random() ** (1.0 / w), item)
            for item, w in zip(items, weights, strict=True)
            if w > 0
        ),
        reverse=True,
    )
    return [item for _, item in keyed[:k]]


def _date(rng: random.Random, start: datetime.date, end: datetime.date) -> str:
    span = max(0, (end - start).days)
    return datetime.date.fromordinal(start.toordinal() + rng.randint(0, span)).isoformat()


def _short_name(name: str) -> str:
    """'Mount Qomolangma (Everest)' -> 'Mount Qomolangma'; '[Demo] X Biosphere Reserve' -> 'X'."""
    name = name.removeprefix("[Demo] ").removesuffix(" Biosphere Reserve")
    return name.split(" (", 1)[0].strip()


# --- The generator ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Reserve:
    key: str
    name: str
    region: int
    country: str
    designation_year: int | None
    mountain: bool | None
    elevation: int
    themes: list[int] = field(default_factory=list)
    isolated: bool = False


@dataclass(slots=True)
class _Institution:
    key: str
    region: int  # GLOBAL for the bridges
    country: str | None
    isolated: bool = False


class _Demo:
    def __init__(self, scale: int, seed: int) -> None:
        if scale < 1:
            raise ValueError("scale must be at least 1")
        self.scale = scale
        self.rng = random.Random(seed)
        self.region_index = {region.key: i for i, region in enumerate(REGIONS)}
        self.themes: list[str] = []
        self.theme_labels: list[str] = []
        self.networks: list[str] = []
        self.reserves: list[_Reserve] = []
        self.institutions: list[_Institution] = []
        self.manages: list[tuple[int, int]] = []  # synthetic (institution, reserve)
        # per person: region, first and second institution (-1: none), reserve worked at (-1)
        self.person_region: list[int] = []
        self.person_inst: list[int] = []
        self.person_inst2: list[int] = []
        self.person_reserve: list[int] = []
        self.bridges: list[int] = []
        # per project: region, first site, first theme
        self.project_region: list[int] = []
        self.project_site: list[int] = []
        self.project_theme: list[int] = []

    # -- nodes ---------------------------------------------------------------------------------

    def nodes(self) -> Iterator[Row]:
        for row in seed_node_rows():
            self._note_real(row)
            yield row
        self.theme_index = {key: i for i, key in enumerate(self.themes)}
        if self.scale > 1:
            yield from self._synthetic_reserves(RESERVES_PER_SCALE * self.scale)
            yield from self._synthetic_institutions(INSTITUTIONS_PER_SCALE * self.scale)
        self._pick_reserve_themes()
        self._pick_isolated()
        self._index_pools()
        yield from self._people(PEOPLE_PER_SCALE * self.scale)
        yield from self._projects(PROJECTS_PER_SCALE * self.scale)

    def _note_real(self, row: Row) -> None:
        props = row["properties"]
        kind = row["kind"]
        if kind == Kind.THEME.value:
            self.themes.append(row["id"])
            self.theme_labels.append(props["label"])
        elif kind == Kind.NETWORK.value:
            self.networks.append(row["id"])
        elif kind == Kind.RESERVE.value:
            country = props["country"]
            region_key = _RESERVE_REGION.get(row["id"]) or _REGION_OF_COUNTRY.get(country, "alps")
            reserve = _Reserve(
                row["id"],
                props["name"],
                self.region_index[region_key],
                country,
                props.get("designation_year"),
                props.get("mountain"),
                props.get("max_elevation_m", 0),
            )
            self.reserves.append(reserve)
        elif kind == Kind.INSTITUTION.value:
            headquarters: str | None = props.get("country")
            works_in = _INSTITUTION_REGION.get(row["id"])
            if works_in is None:
                works_in = _REGION_OF_COUNTRY.get(headquarters or "", "")
            region = self.region_index[works_in] if works_in else GLOBAL
            self.institutions.append(_Institution(row["id"], region, headquarters))

    def _place_root(self, region: Region) -> str:
        rng = self.rng
        return "".join(rng.choice(region.syllables) for _ in range(rng.randint(2, 3))).capitalize()

    def _place_name(self, region: Region) -> str:
        return self.rng.choice(region.prefixes).format(self._place_root(region))

    def _synthetic_reserves(self, count: int) -> Iterator[Row]:
        rng = self.rng
        # Even out the regions: the thin ones (Africa, North America) get more synthetic sites.
        real = [0] * len(REGIONS)
        for reserve in self.reserves:
            real[reserve.region] += 1
        weights = [max(1.0, 14.0 - n) + 6.0 for n in real]
        regions = rng.choices(range(len(REGIONS)), weights=weights, k=count)
        for number, region_i in enumerate(regions, start=1):
            region = REGIONS[region_i]
            key = f"demo-reserve-{number:06d}"
            name = f"[Demo] {self._place_name(region)} Biosphere Reserve"
            country = rng.choice(region.countries)
            lat0, lat1, lon0, lon1 = _COUNTRY_BOX[country]
            elevation = rng.randint(3000, 7500) if region.high else rng.randint(1200, 3600)
            year = rng.randint(1976, 2025)
            self.reserves.append(_Reserve(key, name, region_i, country, year, True, elevation))
            yield node_row(
                Kind.RESERVE,
                key,
                {
                    "name": name,
                    "country": country,
                    "designation_year": year,
                    "latitude": round(rng.uniform(lat0, lat1), 5),
                    "longitude": round(rng.uniform(lon0, lon1), 5),
                    "area_km2": round(rng.lognormvariate(6.5, 1.0), 2),
                    "max_elevation_m": elevation,
                    "mountain": True,
                },
            )

    def _synthetic_institutions(self, count: int) -> Iterator[Row]:
        rng = self.rng
        synthetic_reserves = [r for r in self.reserves if r.key.startswith("demo-reserve-")]
        managed = len(synthetic_reserves) // 2
        first_reserve = len(self.reserves) - len(synthetic_reserves)
        for number in range(1, count + 1):
            key = f"demo-institution-{number:06d}"
            index = number - 1
            if index < managed:
                reserve = synthetic_reserves[index]
                kind = "reserve_management"
                name = f"[Demo] {_short_name(reserve.name)} Biosphere Reserve Management"
                region_i, country = reserve.region, reserve.country
                self.manages.append((len(self.institutions), first_reserve + index))
            else:
                kind = rng.choice(_INSTITUTION_KINDS)
                if rng.random() < 0.04:
                    region_i, country = GLOBAL, rng.choice(("FR", "CH", "IT", "GB", "US", "NL"))
                    root = self._place_root(rng.choice(REGIONS))
                else:
                    region_i = rng.randrange(len(REGIONS))
                    country = rng.choice(REGIONS[region_i].countries)
                    root = self._place_root(REGIONS[region_i])
                name = _INSTITUTION_NAME[kind].format(root)
            self.institutions.append(_Institution(key, region_i, country))
            yield node_row(
                Kind.INSTITUTION,
                key,
                {
                    "name": name,
                    "kind": kind,
                    "country": country,
                    "url": f"https://{key}.example.org",
                },
            )

    def _pick_reserve_themes(self) -> None:
        rng = self.rng
        items = list(range(len(self.themes)))
        base = [_THEME_WEIGHT.get(key, 1.0) for key in self.themes]
        glacier = self.theme_index.get(GLACIER_THEME)
        for reserve in self.reserves:
            elevation = reserve.elevation
            weights = list(base)
            if glacier is not None:
                high = REGIONS[reserve.region].high
                # Glaciers only where there is high ground (or unknown height in a glaciated range).
                if elevation >= 4500:
                    weights[glacier] = 6.0
                elif elevation >= 3000:
                    weights[glacier] = 2.5
                elif not elevation and high:
                    weights[glacier] = 0.5
                else:
                    weights[glacier] = 0.0
            reserve.themes = _weighted_sample(rng, items, weights, rng.randint(3, 8))

    def _pick_isolated(self) -> None:
        rng = self.rng
        candidates = [i for i, r in enumerate(self.reserves) if r.key not in _NEVER_ISOLATED]
        for i in rng.sample(candidates, max(2, len(self.reserves) // 20)):
            self.reserves[i].isolated = True
        managers = {institution for institution, _ in self.manages}
        candidates = [
            i
            for i, inst in enumerate(self.institutions)
            if inst.region != GLOBAL and i not in managers
        ]
        for i in rng.sample(candidates, max(2, len(self.institutions) // 25)):
            self.institutions[i].isolated = True

    def _index_pools(self) -> None:
        n = len(REGIONS)
        self.region_reserves: list[list[int]] = [[] for _ in range(n)]
        self.active_reserves: list[list[int]] = [[] for _ in range(n)]
        for i, reserve in enumerate(self.reserves):
            self.region_reserves[reserve.region].append(i)
            if not reserve.isolated:
                self.active_reserves[reserve.region].append(i)
        self.all_active_reserves = [i for pool in self.active_reserves for i in pool]
        self.region_institutions: list[list[int]] = [[] for _ in range(n)]
        self.active_institutions: list[list[int]] = [[] for _ in range(n)]
        self.global_institutions: list[int] = []
        for i, inst in enumerate(self.institutions):
            if inst.region == GLOBAL:
                self.global_institutions.append(i)
                continue
            self.region_institutions[inst.region].append(i)
            if not inst.isolated:
                self.active_institutions[inst.region].append(i)
        self.reserve_managers: dict[int, list[int]] = {}
        reserve_index = {r.key: i for i, r in enumerate(self.reserves)}
        institution_index = {inst.key: i for i, inst in enumerate(self.institutions)}
        for row in seed_relationship_rows():
            if row["rel"] == RelType.MANAGES.value:
                manager = institution_index[row["from"].partition(":")[2]]
                managed = reserve_index[row["to"].partition(":")[2]]
                self.reserve_managers.setdefault(managed, []).append(manager)
        for manager, managed in self.manages:
            self.reserve_managers.setdefault(managed, []).append(manager)
        self.reserve_workers: dict[int, list[int]] = {}
        self.institution_staff: dict[int, list[int]] = {}
        self.region_people: list[list[int]] = [[] for _ in range(n)]

    def _people(self, count: int) -> Iterator[Row]:
        rng = self.rng
        weights = list(itertools.accumulate(len(pool) + 1 for pool in self.region_reserves))
        regions = range(len(REGIONS))
        for index in range(count):
            key = f"demo-person-{index + 1:06d}"
            region_i = rng.choices(regions, cum_weights=weights)[0]
            region = REGIONS[region_i]
            local = self.region_institutions[region_i] or self.global_institutions
            inst = rng.choice(local)
            country = self.institutions[inst].country or rng.choice(region.countries)
            if rng.random() < 0.04:  # a bridge: also at a global organisation
                inst2 = rng.choice(self.global_institutions)
                self.bridges.append(index)
            elif rng.random() < 0.25:
                inst2 = rng.choice(local if rng.random() < 0.7 else self.global_institutions)
            else:
                inst2 = -1
            if inst2 == inst:
                inst2 = -1
            reserve = -1
            if rng.random() < 0.3 and self.region_reserves[region_i]:
                reserve = rng.choice(self.region_reserves[region_i])
                self.reserve_workers.setdefault(reserve, []).append(index)
            self.person_region.append(region_i)
            self.person_inst.append(inst)
            self.person_inst2.append(inst2)
            self.person_reserve.append(reserve)
            self.region_people[region_i].append(index)
            self.institution_staff.setdefault(inst, []).append(index)
            if inst2 >= 0:
                self.institution_staff.setdefault(inst2, []).append(index)
            yield node_row(
                Kind.PERSON,
                key,
                {
                    "name": _person_name(rng, country),
                    "country": country,
                    "email": f"{key}@example.org",
                    "synthetic": True,
                },
            )

    def _projects(self, count: int) -> Iterator[Row]:
        rng = self.rng
        weights = list(itertools.accumulate(len(pool) for pool in self.active_reserves))
        regions = range(len(REGIONS))
        glacier = self.theme_index.get(GLACIER_THEME, -1)
        for index in range(count):
            key = f"demo-project-{index + 1:06d}"
            region_i = rng.choices(regions, cum_weights=weights)[0]
            site = rng.choice(self.active_reserves[region_i])
            reserve = self.reserves[site]
            theme_weights = [2.0 if t == glacier else 1.0 for t in reserve.themes]
            theme = rng.choices(reserve.themes, weights=theme_weights)[0]
            self.project_region.append(region_i)
            self.project_site.append(site)
            self.project_theme.append(theme)
            phrase = rng.choice(THEME_PHRASES.get(self.themes[theme], (self.theme_labels[theme],)))
            place = _short_name(reserve.name)
            start = rng.randint(2010, 2026)
            end = start + rng.randint(0, 6) if rng.random() < 0.7 else None
            yield node_row(
                Kind.PROJECT,
                key,
                {
                    "title": f"[Demo] {phrase} in {place}",
                    "description": (
                        "Synthetic demo project generated for testing, not a real project: "
                        f"{self.theme_labels[theme].lower()} in {place}."
                    ),
                    "start_year": start,
                    "end_year": end,
                    "synthetic": True,
                },
            )

    # -- relationships ---------------------------------------------------------------------------

    def relationships(self) -> Iterator[Row]:
        real = list(seed_relationship_rows())
        yield from real
        stated = {(row["rel"], row["from"], row["to"]) for row in real}
        for inst, reserve in self.manages:
            yield rel_row(
                RelType.MANAGES,
                (Kind.INSTITUTION, self.institutions[inst].key),
                (Kind.RESERVE, self.reserves[reserve].key),
            )
        yield from self._reserve_relationships(stated)
        yield from self._institution_memberships(stated)
        yield from self._people_relationships()
        yield from self._project_relationships()

    def _networks_for(self, region_i: int, country: str | None) -> list[str]:
        existing = set(self.networks)
        return [
            network
            for network in REGIONS[region_i].networks
            if network in existing
            and (country is None or country in _NETWORK_COUNTRIES.get(network, {country}))
        ]

    def _reserve_relationships(self, stated: set[tuple[str, str, str]]) -> Iterator[Row]:
        rng = self.rng
        has_wnmbr = WNMBR_ID in self.networks
        for reserve in self.reserves:
            source = (Kind.RESERVE, reserve.key)
            for theme in reserve.themes:
                yield rel_row(RelType.ADDRESSES, source, (Kind.THEME, self.themes[theme]))
            # Never a member before its designation (a few real ones were designated after 2021).
            designated = datetime.date(max(1990, reserve.designation_year or 1990), 1, 1)
            if has_wnmbr and reserve.mountain and rng.random() < 0.7:
                row = rel_row(
                    RelType.MEMBER_OF,
                    source,
                    (Kind.NETWORK, WNMBR_ID),
                    {"since": _date(rng, max(designated, _WNMBR_START), _WNMBR_END)},
                )
                if (row["rel"], row["from"], row["to"]) not in stated:
                    yield row
            regional_end = max(_REGIONAL_END, designated.replace(month=12, day=31))
            for network in self._networks_for(reserve.region, reserve.country):
                if rng.random() < 0.6:
                    yield rel_row(
                        RelType.MEMBER_OF,
                        source,
                        (Kind.NETWORK, network),
                        {"since": _date(rng, designated, regional_end)},
                    )

    def _institution_memberships(self, stated: set[tuple[str, str, str]]) -> Iterator[Row]:
        rng = self.rng
        existing = set(self.networks)
        start = datetime.date(1995, 1, 1)
        for inst in self.institutions:
            source = (Kind.INSTITUTION, inst.key)
            networks = [n for n in _GLOBAL_NETWORKS if n in existing and rng.random() < 0.15]
            if inst.region != GLOBAL:
                networks += [
                    n for n in self._networks_for(inst.region, inst.country) if rng.random() < 0.2
                ]
            for network in networks:
                row = rel_row(
                    RelType.MEMBER_OF,
                    source,
                    (Kind.NETWORK, network),
                    {"since": _date(rng, start, _REGIONAL_END)},
                )
                if (row["rel"], row["from"], row["to"]) not in stated:
                    yield row

    def _people_relationships(self) -> Iterator[Row]:
        rng = self.rng
        start = datetime.date(1995, 1, 1)
        end = datetime.date(2026, 6, 30)
        for index in range(len(self.person_region)):
            source = (Kind.PERSON, f"demo-person-{index + 1:06d}")
            for inst in (self.person_inst[index], self.person_inst2[index]):
                if inst >= 0:
                    yield rel_row(
                        RelType.AFFILIATED_WITH,
                        source,
                        (Kind.INSTITUTION, self.institutions[inst].key),
                        {
                            "roles": list(rng.choice(_AFFILIATION_ROLES)),
                            "since": _date(rng, start, end),
                        },
                    )
            reserve = self.person_reserve[index]
            if reserve >= 0:
                yield rel_row(
                    RelType.WORKS_AT,
                    source,
                    (Kind.RESERVE, self.reserves[reserve].key),
                    {"roles": list(rng.choice(_RESERVE_ROLES))},
                )

    def _project_relationships(self) -> Iterator[Row]:
        rng = self.rng
        # An extra theme from outside the sites' own is never the glacier one.
        lowland_themes = [i for i, key in enumerate(self.themes) if key != GLACIER_THEME]
        for index in range(len(self.project_region)):
            project = (Kind.PROJECT, f"demo-project-{index + 1:06d}")
            region_i = self.project_region[index]

            sites = [self.project_site[index]]
            for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
                pool = (
                    self.active_reserves[region_i]
                    if rng.random() < 0.85
                    else self.all_active_reserves
                )
                site = rng.choice(pool)
                if site not in sites:
                    sites.append(site)
            for site in sites:
                yield rel_row(RelType.SITED_IN, project, (Kind.RESERVE, self.reserves[site].key))

            themes = [self.project_theme[index]]
            site_themes = [t for s in sites for t in self.reserves[s].themes]
            for _ in range(rng.choice((0, 1, 1, 2))):
                theme = (
                    rng.choice(site_themes) if rng.random() < 0.75 else rng.choice(lowland_themes)
                )
                if theme not in themes:
                    themes.append(theme)
            for theme in themes:
                yield rel_row(RelType.ADDRESSES, project, (Kind.THEME, self.themes[theme]))

            partners = self._partners(sites, region_i)
            for position, inst in enumerate(partners):
                roles = ["coordinator"] if position == 0 else list(rng.choice(_PARTNER_ROLES))
                yield rel_row(
                    RelType.PARTNER_IN,
                    (Kind.INSTITUTION, self.institutions[inst].key),
                    project,
                    {"roles": roles},
                )

            for position, person in enumerate(self._participants(sites, partners, region_i)):
                if position == 0:
                    roles = ["lead"] if rng.random() < 0.6 else ["lead", "researcher"]
                else:
                    roles = rng.sample(PERSON_ROLES[1:], rng.choice((1, 1, 2)))
                yield rel_row(
                    RelType.PARTICIPATES_IN,
                    (Kind.PERSON, f"demo-person-{person + 1:06d}"),
                    project,
                    {"roles": roles},
                )

    def _partners(self, sites: list[int], region_i: int) -> list[int]:
        rng = self.rng
        want = rng.choice((1, 1, 2, 2, 3, 4))
        local = self.active_institutions[region_i]
        managers = [
            m
            for s in sites
            for m in self.reserve_managers.get(s, [])
            if not self.institutions[m].isolated
        ]
        chosen: list[int] = []
        for attempt in range(want * 4):
            if len(chosen) == want:
                break
            u = rng.random()
            if attempt == 0 and managers and u < 0.6:
                pool = managers
            elif u < 0.2 or not local:
                pool = self.global_institutions
            else:
                pool = local
            if pool:
                inst = rng.choice(pool)
                if inst not in chosen:
                    chosen.append(inst)
        return chosen

    def _participants(self, sites: list[int], partners: list[int], region_i: int) -> list[int]:
        rng = self.rng
        want = rng.randint(2, 8)
        pools = [self.institution_staff[i] for i in partners if i in self.institution_staff]
        pools += [self.reserve_workers[s] for s in sites if s in self.reserve_workers]
        local = self.region_people[region_i] or list(range(len(self.person_region)))
        chosen: list[int] = []
        for _ in range(want * 6):
            if len(chosen) == want:
                break
            u = rng.random()
            if u < 0.6 and pools:
                person = rng.choice(rng.choice(pools))
            elif u < 0.67 and self.bridges:
                person = rng.choice(self.bridges)
            else:
                person = rng.choice(local)
            if person not in chosen:
                chosen.append(person)
        return chosen


@cache
def _real_node_count() -> int:
    return sum(1 for _ in seed_node_rows())


def estimate_nodes(scale: int) -> int:
    """The number of node rows ``demo_rows(scale)`` emits (exact, without generating them)."""
    per_scale = PEOPLE_PER_SCALE + PROJECTS_PER_SCALE
    if scale > 1:
        per_scale += RESERVES_PER_SCALE + INSTITUTIONS_PER_SCALE
    return _real_node_count() + per_scale * scale


def demo_rows(scale: int = 1, seed: int = 7) -> Iterator[Row]:
    """The real seed rows plus synthetic data, all nodes first, deterministic for (scale, seed)."""
    demo = _Demo(scale, seed)
    yield from demo.nodes()
    yield from demo.relationships()
