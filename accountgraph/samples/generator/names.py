"""People's names and e-mail addresses: given and family names by locale (with Chinese names in characters
or pinyin), some expatriates, ASCII e-mail local parts, and slugs for domains."""

from __future__ import annotations

import random
import re
import unicodedata

_GIVEN: dict[str, tuple[str, ...]] = {
    "de": (
        "Jürgen", "Björn", "Sören", "Jörg", "Günther", "Ute", "Käthe", "Bärbel", "Anja", "Katrin", "Stefan",
        "Thomas", "Andreas", "Michael", "Sabine", "Claudia", "Markus", "Tobias", "Lena", "Lukas", "Jonas",
        "Felix", "Hannah", "Marie", "Julia", "Matthias", "Frank", "Ralf", "Dörte", "Maximilian", "Annika",
    ),
    "en": (
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
        "William", "Susan", "Emily", "Daniel", "Sarah", "Chris", "Jessica", "Kevin", "Laura", "Brian", "Priya",
        "Aisha", "Kwame", "Olivia", "Ethan", "Grace", "Siobhán", "Seán", "Aoife", "Rajesh",
    ),
    "fr": (
        "Hélène", "François", "Amélie", "Théo", "Léa", "Chloé", "Mathieu", "Céline", "Jérôme", "Benoît",
        "Élodie", "Nicolas", "Camille", "Julien", "Sébastien", "Inès", "Noémie", "Anaïs", "Gaëlle",
    ),
    "it": (
        "Giulia", "Marco", "Alessandro", "Francesca", "Luca", "Chiara", "Matteo", "Sara", "Davide", "Elena",
        "Niccolò", "Federica", "Lorenzo", "Martina",
    ),
    "es": (
        "Alejandro", "María", "José", "Lucía", "Carlos", "Sofía", "Javier", "Valentina", "Andrés", "Ximena",
        "Fernando", "Mónica", "Raúl", "Inés",
    ),
    "pt": ("João", "Ana", "Luís", "Conceição", "Gabriel", "Beatriz", "Thiago", "Mariana", "Rafael", "Letícia", "André"),
    "nordic": (
        "Åsa", "Søren", "Björn", "Ingrid", "Lars", "Maja", "Erik", "Sigrid", "Mikael", "Øystein", "Annika",
        "Nils", "Freja", "Mads",
    ),
    "pl": (
        "Łukasz", "Agnieszka", "Paweł", "Małgorzata", "Krzysztof", "Katarzyna", "Piotr", "Joanna", "Michał", "Zofia",
    ),
    "tr": ("Mehmet", "Ayşe", "Mustafa", "Fatma", "Emre", "Zeynep", "Burak", "Elif", "Çağlar", "Gülşen", "Oğuz", "Şule"),
    "ja": (
        "Hiroshi", "Yuki", "Takeshi", "Akiko", "Kenji", "Naoko", "Daisuke", "Emi", "Haruto", "Sakura", "Ryō", "Yūko",
    ),
}  # fmt: skip
_FAMILY: dict[str, tuple[str, ...]] = {
    "de": (
        "Müller", "Schäfer", "Köhler", "Weiß", "Groß", "Schröder", "Krüger", "Höfer", "Jäger", "Fuchs", "Wagner",
        "Schmidt", "Schneider", "Fischer", "Meyer", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann",
        "Zimmermann", "Braun", "Hartmann", "Lange", "Krause", "Lehmann", "Förster", "Böhm", "Dreßler", "Kühn",
        "Möller",
    ),
    "en": (
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
        "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Patel",
        "Nguyen", "O'Brien", "Murphy", "Kelly", "Okafor", "Khan", "Robinson",
    ),
    "fr": (
        "Dubois", "Lefèvre", "Moreau", "Girard", "Mercier", "Bonnet", "Lambert", "Fontaine", "Rousseau",
        "Chevalier", "Gauthier", "Faure", "Perrin", "Leclerc", "Thébault", "Ménard", "Deschênes",
    ),
    "it": (
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
        "Bruno", "Galli", "Conti", "De Luca", "Mancini", "Lombardi",
    ),
    "es": (
        "García", "Martínez", "López", "González", "Hernández", "Pérez", "Sánchez", "Ramírez", "Torres",
        "Flores", "Rivera", "Gómez", "Díaz", "Muñoz", "Jiménez", "Peña",
    ),
    "pt": (
        "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gonçalves",
        "Araújo", "Magalhães", "Simões",
    ),
    "nordic": (
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Østergaard", "Lindqvist", "Sjöberg", "Jensen",
        "Nielsen", "Hansen", "Åberg", "Lindström", "Bergström", "Holm",
    ),
    "pl": (
        "Nowak", "Wójcik", "Mazur", "Krawczyk", "Kaczmarek", "Zając", "Król", "Wieczorek", "Jabłoński", "Wróbel",
        "Dudek", "Michalak",
    ),
    "tr": ("Yılmaz", "Kaya", "Demir", "Çelik", "Şahin", "Yıldız", "Öztürk", "Aydın", "Özdemir", "Arslan", "Doğan"),
    "ja": (
        "Satō", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Itō", "Yamamoto", "Nakamura", "Kobayashi", "Katō",
        "Yoshida", "Yamada",
    ),
}  # fmt: skip
# Chinese names: (characters, pinyin); written either in characters (family name first, no space) or in pinyin
_ZH_FAMILY: tuple[tuple[str, str], ...] = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("黄", "Huang"),
    ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"),
    ("胡", "Hu"), ("郭", "Guo"), ("林", "Lin"), ("何", "He"), ("高", "Gao"), ("罗", "Luo"),
)  # fmt: skip
_ZH_GIVEN: tuple[tuple[str, str], ...] = (
    ("伟", "Wei"), ("芳", "Fang"), ("静", "Jing"), ("磊", "Lei"), ("敏", "Min"), ("艳", "Yan"), ("军", "Jun"),
    ("慧", "Hui"), ("晓明", "Xiaoming"), ("丽", "Li"), ("强", "Qiang"), ("颖", "Ying"), ("浩", "Hao"),
    ("鑫", "Xin"), ("宇", "Yu"), ("杰", "Jie"), ("雪梅", "Xuemei"), ("建华", "Jianhua"),
)  # fmt: skip
# where people of an international subsidiary come from when not local
_EXPAT_LOCALES = ("en", "en", "en", "de", "de", "zh", "fr", "es", "it", "nordic", "pl", "tr", "pt", "ja")
_ASCII = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ø": "o", "Ø": "O",
     "ł": "l", "Ł": "L", "ı": "i", "æ": "ae", "å": "a", "Å": "A"}
)  # fmt: skip


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", folded.lower())


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "account"


class Names:
    """Realistic names (and ASCII e-mail addresses) drawn from a country's locale with some expatriates."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.emails: dict[str, int] = {}

    def person(self, locale: str, taken: set[str]) -> tuple[str, str]:
        """A display name and an ASCII `given.family` e-mail local part (a few tries for a name not in `taken`)."""
        for _ in range(3):
            name, local = self._draw(locale)
            if name not in taken:
                break
        taken.add(name)
        return name, local

    def _draw(self, locale: str) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.25:
            locale = _EXPAT_LOCALES[int(rng.random() * len(_EXPAT_LOCALES))]
        if locale == "zh":
            fam_hz, fam = _ZH_FAMILY[int(rng.random() * len(_ZH_FAMILY))]
            giv_hz, giv = _ZH_GIVEN[int(rng.random() * len(_ZH_GIVEN))]
            r = rng.random()
            if r < 0.45:
                name = fam_hz + giv_hz
            elif r < 0.75:
                name = f"{fam} {giv}"
            else:
                name = f"{giv} {fam}"
            return name, f"{_ascii(giv)}.{_ascii(fam)}"
        given = _GIVEN[locale]
        family = _FAMILY[locale]
        g = given[int(rng.random() * len(given))]
        f = family[int(rng.random() * len(family))]
        return f"{g} {f}", f"{_ascii(g)}.{_ascii(f)}"

    def email(self, local: str, domain: str) -> str:
        address = f"{local}@{domain}"
        seen = self.emails.get(address, 0)
        self.emails[address] = seen + 1
        return address if seen == 0 else f"{local}{seen + 1}@{domain}"
