"""Synthetic companies for the demo: about 50 in Altai Krai and 35 in Syrdarya region.

Deterministic from a seed; every one is marked synthetic. Their profiles follow the sectors the
parties name (boilers, wagons, mining equipment, flour, medicines from Altai Krai; cotton yarn,
textiles, fruit and vegetables, fertilisers from Syrdarya), so that matchmaking has something to
find. Tax IDs are well-formed (INN with check digits under Altai Krai's code 22, 9-digit STIR)
but belong to no real company.
"""

from __future__ import annotations

import random

from hamkor.companies.registry import CompanyData, Contact
from hamkor.companies.taxid import INN10_WEIGHTS

# sector: (Russian name stem, English stem, offers, needs, offers text ru, needs text ru)
ALTAI_SECTORS = {
    "machinery": ("Котломаш", "Boiler Works", ["8402", "8403", "840410"], ["7208", "7304", "8501"],
                  "паровые и водогрейные котлы, котельное оборудование", "стальной прокат, трубы, электродвигатели"),
    "mining equipment": ("Горные машины", "Mining Machinery", ["8474", "8430", "9015"], ["7214", "8482", "8544"],
                         "дробилки, буровое и геологоразведочное оборудование", "подшипники, кабель, арматура"),
    "railway": ("Вагонный завод", "Wagon Works", ["8606", "8607"], ["7208", "7304", "8501"],
                "грузовые вагоны и запчасти к ним", "металлопрокат, трубы, двигатели"),
    "food": ("Мелькомбинат", "Flour Mill", ["1101", "1103", "1902"], ["0806", "0813", "0802", "1701"],
             "пшеничная мука, крупы, макаронные изделия", "сухофрукты, изюм, орехи, сахар"),
    "dairy": ("Сыродел", "Cheese Dairy", ["0406", "0402"], ["0806", "0813", "5205"],
              "сыры твердые, сухое молоко", "сухофрукты, упаковка"),
    "pharmaceuticals": ("Фарм", "Pharma", ["3004", "2941"], ["5201", "3923", "1212"],
                        "лекарственные препараты, антибиотики", "хлопок медицинский, упаковка, лекарственное сырьё"),
    "agricultural machinery": ("Агромаш", "Agromash", ["8432", "8433", "8436"], ["7208", "4011", "8482"],
                               "плуги, бороны, сеялки, зерноуборочная техника", "металлопрокат, шины, подшипники"),
    "tyres": ("Шинный завод", "Tyre Plant", ["4011", "4013"], ["4001", "5205", "2803"],
              "шины для грузовиков и сельхозтехники", "натуральный каучук, кордная нить, сажа"),
    "timber": ("Лес", "Timber", ["4407", "4412", "9403"], ["6109", "5208", "0702"],
               "пиломатериалы, фанера, мебель", "спецодежда, ткань"),
    "textiles": ("Текстиль", "Textile", ["6211", "6302"], ["5205", "5208", "5209"],
                 "спецодежда, постельное бельё", "хлопчатобумажная пряжа, ткани"),
}
# sector: (Uzbek name stem, Russian stem, English stem, offers, needs, offers text uz, needs text uz)
SYRDARYA_SECTORS = {
    "textiles": ("Tekstil", "Текстиль", "Textile", ["5205", "5208", "6109", "6302"], ["8445", "8446", "3204"],
                 "paxta ipi, gazlama, trikotaj", "toʻqimachilik uskunalari, boʻyoqlar"),
    "cotton": ("Paxta klasteri", "Хлопковый кластер", "Cotton Cluster", ["5201", "5203", "5205"],
               ["8432", "8433", "3102", "8701"],
               "paxta tolasi, paxta ipi", "qishloq xoʻjaligi texnikasi, oʻgʻitlar, traktorlar"),
    "fruit and vegetables": ("Meva-sabzavot", "Плодоовощ", "Fruit & Veg", ["0702", "0703", "0806", "0807", "0813"],
                             ["8418", "8422", "4819"], "yangi sabzavotlar, uzum, qovun, quritilgan meva",
                             "sovutish uskunalari, qadoqlash"),
    "chemicals": ("Kimyo", "Кимё", "Chemicals", ["3102", "2814", "2836"], ["8402", "8413", "8414"],
                  "azotli oʻgʻitlar, ammiak", "bugʻ qozonlari, nasoslar, kompressorlar"),
    "building materials": ("Qurilish materiallari", "Стройматериалы", "Building Materials", ["2523", "6907", "6810"],
                           ["8474", "8430", "8429"], "sement, plitka", "maydalash va burgʻulash uskunalari"),
    "food": ("Oziq-ovqat", "Пищевик", "Food", ["2009", "2007", "0409"], ["1101", "0406", "1701"],
             "sharbatlar, murabbo, asal", "un, pishloq, shakar"),
    "mining": ("Kon", "Рудник", "Mining", ["2616", "7108"], ["8474", "8430", "9015", "8402"],
               "rudalar", "kon uskunalari, geologik razvedka jihozlari, qozonlar"),
    "pharmaceuticals": ("Farm", "Фарм", "Pharm", ["1211", "3004"], ["3004", "2941", "8422"],
                        "dorivor oʻsimliklar", "dori vositalari, antibiotiklar, qadoqlash uskunalari"),
}
ALTAI_CITIES = ["Барнаул", "Бийск", "Рубцовск", "Новоалтайск", "Заринск", "Камень-на-Оби", "Славгород"]
SYRDARYA_CITIES = ["Guliston", "Yangiyer", "Shirin", "Sirdaryo", "Boyovut"]
RU_FIRST = ["Андрей", "Елена", "Сергей", "Ольга", "Игорь", "Наталья", "Дмитрий", "Татьяна"]
RU_LAST = ["Иванов", "Кузнецова", "Смирнов", "Попова", "Соколов", "Волкова", "Морозов", "Лебедева"]
UZ_FIRST = ["Akmal", "Dilnoza", "Bekzod", "Nodira", "Sardor", "Gulnora", "Jasur", "Malika"]
UZ_LAST = ["Karimov", "Yusupova", "Rahimov", "Tosheva", "Aliyev", "Saidova", "Ergashev", "Qodirova"]


def _inn(rng: random.Random, region: str = "22") -> str:
    digits = [int(c) for c in region] + [rng.randint(0, 9) for _ in range(7)]
    digits.append(sum(d * w for d, w in zip(digits, INN10_WEIGHTS, strict=True)) % 11 % 10)
    return "".join(map(str, digits))


def generate(seed: int = 20251125, altai: int = 50, syrdarya: int = 35) -> list[CompanyData]:
    rng = random.Random(seed)
    companies = []
    for n in range(altai):
        sector = list(ALTAI_SECTORS)[n % len(ALTAI_SECTORS)]
        stem_ru, stem_en, offers, needs, offers_text, needs_text = ALTAI_SECTORS[sector]
        city = rng.choice(ALTAI_CITIES)
        number = n // len(ALTAI_SECTORS) + 1
        form = rng.choice(["ООО", "АО"])
        person = f"{rng.choice(RU_FIRST)} {rng.choice(RU_LAST)}"
        companies.append(CompanyData(
            name_ru=f"{form} «{stem_ru}-{number}» (демо)", name_en=f"{stem_en} {number} (demo)",
            tax_id=_inn(rng), country="RU", region="RU-ALT", city=city, sectors=[sector],
            size=rng.choice(["small", "medium", "medium", "large"]), website=f"demo-altai-{n + 1}.example",
            languages=["ru"] + (["en"] if rng.random() < 0.35 else []) + (["uz"] if rng.random() < 0.05 else []),
            export_experience=rng.choice(["", "Казахстан, Монголия", "Казахстан", "Китай, Казахстан, Узбекистан"]),
            offers=rng.sample(offers, k=min(len(offers), rng.randint(1, len(offers)))), offers_text=offers_text,
            needs=rng.sample(needs, k=min(len(needs), rng.randint(1, len(needs)))), needs_text=needs_text,
            contacts=[Contact(person, rng.choice(["директор", "коммерческий директор", "менеджер ВЭД"]),
                              f"+7 3852 {rng.randint(200000, 799999)}", f"contact{n + 1}@demo-altai.example")],
            synthetic=True))
    for n in range(syrdarya):
        sector = list(SYRDARYA_SECTORS)[n % len(SYRDARYA_SECTORS)]
        stem_uz, stem_ru, stem_en, offers, needs, offers_text, needs_text = SYRDARYA_SECTORS[sector]
        number = n // len(SYRDARYA_SECTORS) + 1
        person = f"{rng.choice(UZ_FIRST)} {rng.choice(UZ_LAST)}"
        companies.append(CompanyData(
            name_uz=f"«{stem_uz}-{number}» MChJ (demo)", name_en=f"{stem_en} {number} LLC (demo)",
            name_ru=f"ООО «{stem_ru}-{number}» (демо)", tax_id=str(rng.randint(200000000, 399999999)),
            country="UZ", region="UZ-SI", city=rng.choice(SYRDARYA_CITIES), sectors=[sector],
            size=rng.choice(["micro", "small", "small", "medium"]), website=f"demo-sirdaryo-{n + 1}.example",
            languages=["uz"] + (["ru"] if rng.random() < 0.8 else []) + (["en"] if rng.random() < 0.25 else []),
            export_experience=rng.choice(["", "Россия", "Россия, Казахстан", "Китай"]),
            offers=rng.sample(offers, k=min(len(offers), rng.randint(1, len(offers)))), offers_text=offers_text,
            needs=rng.sample(needs, k=min(len(needs), rng.randint(1, len(needs)))), needs_text=needs_text,
            contacts=[Contact(person, rng.choice(["direktor", "tijorat direktori", "eksport menejeri"]),
                              f"+998 67 {rng.randint(2000000, 7999999)}", f"contact{n + 1}@demo-sirdaryo.example")],
            synthetic=True))
    return companies
