"""Cross-language evidence for stories: places, bodies and happenings named the same way in en/es/pt. Pure.

One event told in English, Spanish and Portuguese names the same people (folded
names already match: "Béjar" = "Bejar"), but its places, regional bodies and
verbs differ: "OAS" / "OEA", "European Union" / "UE" / "União Europeia",
"Brazil" / "Brasil", "resigned" / "renunció" / "renunciou". `concepts_named`
maps them onto one token each: "@oas", "@eu", "@brazil", "~resign". The tables
are general domain vocabulary (regional bodies, countries, what happens in
diplomacy news), never the names of one page.
"""
from __future__ import annotations

import re
from functools import lru_cache

from bot.nlp import fast_fold

# canonical token: "folded phrase | another | ..."; an entry in capitals is an acronym, matched as written
_PLACES_AND_BODIES = {
    "oas": "organization of american states | organizacion de los estados americanos | "
           "organizacao dos estados americanos | OAS | OEA",
    "un": "united nations | naciones unidas | nacoes unidas | UN | ONU",
    "eu": "european union | union europea | uniao europeia | EU | UE",
    "us": "united states | estados unidos | US | U.S. | USA | EEUU | EE.UU. | EUA",
    "mercosur": "mercosur | mercosul",
    "unasur": "unasur | unasul | union of south american nations | union de naciones suramericanas",
    "celac": "celac | community of latin american and caribbean states | "
             "comunidad de estados latinoamericanos y caribenos | comunidade de estados latino-americanos",
    "andean": "andean community | comunidad andina | comunidade andina",
    "pacific_alliance": "pacific alliance | alianza del pacifico | alianca do pacifico",
    "lima_group": "lima group | grupo de lima",
    "iachr": "inter-american commission on human rights | comision interamericana de derechos humanos | "
             "comissao interamericana de direitos humanos | IACHR | CIDH",
    "icc": "international criminal court | corte penal internacional | tribunal penal internacional | ICC | CPI",
    "imf": "international monetary fund | fondo monetario internacional | fundo monetario internacional | IMF | FMI",
    "who": "world health organization | organizacion mundial de la salud | organizacao mundial da saude | WHO | OMS",
    "nato": "NATO | OTAN",
    "icj": "international court of justice | corte internacional de justicia | corte internacional de justica | ICJ | CIJ",
    "wto": "world trade organization | organizacion mundial del comercio | organizacao mundial do comercio | WTO | OMC",
    "idb": "inter-american development bank | banco interamericano de desarrollo | "
           "banco interamericano de desenvolvimento | IDB | BID",
    "eclac": "economic commission for latin america | comision economica para america latina | "
             "comissao economica para a america latina | ECLAC | CEPAL",
    "unhcr": "un refugee agency | alto comisionado de las naciones unidas para los refugiados | UNHCR | ACNUR",
    "security_council": "security council | consejo de seguridad | conselho de seguranca",
    "opec": "OPEC | OPEP",
    "brazil": "brazil | brasil | brazilian | brasileno | brasilena | brasileiro | brasileira",
    "mexico": "mexico | mexican | mexicano | mexicana",
    "peru": "peru | peruvian | peruano | peruana",
    "venezuela": "venezuela | venezuelan | venezolano | venezolana | venezuelano | venezuelana",
    "colombia": "colombia | colombian | colombiano | colombiana",
    "bolivia": "bolivia | bolivian | boliviano | boliviana",
    "argentina": "argentina | argentine | argentinian | argentino",
    "chile": "chile | chilean | chileno | chilena",
    "ecuador": "ecuador | equador | ecuadorian | ecuatoriano | equatoriano",
    "uruguay": "uruguay | uruguai | uruguayan | uruguayo | uruguaio",
    "paraguay": "paraguay | paraguai | paraguayan | paraguayo | paraguaio",
    "guyana": "guyana | guiana | guyanese | guyanes",
    "nicaragua": "nicaragua | nicaraguan | nicaraguense",
    "cuba": "cuba | cuban | cubano | cubana",
    "canada": "canada | canadian | canadiense | canadense",
    "spain": "spain | espana | espanha",
    "switzerland": "switzerland | suiza | suica",
    "germany": "germany | alemania | alemanha",
    "france": "france | francia | franca",
    "russia": "russia | rusia | russian | ruso | rusa | russo",
    "ukraine": "ukraine | ucrania | ukrainian | ucraniano | ucraniana",
    "china": "china | chinese | chino | chines",
    "uk": "united kingdom | reino unido | britain | UK",
    "dominican_republic": "dominican republic | republica dominicana",
    "haiti": "haiti | haitian | haitiano",
    "japan": "japan | japon | japao | japanese | japones | japonesa",
    "italy": "italy | italia | italian | italiano | italiana",
    "netherlands": "netherlands | paises bajos | paises baixos | holanda | dutch | holandes",
    "turkey": "turkey | turquia | turkish | turco | turca",
    "iran": "iran | iranian | irani",
    "egypt": "egypt | egipto | egito | egyptian | egipcio",
    "south_africa": "south africa | sudafrica | africa do sul",
    "saudi_arabia": "saudi arabia | arabia saudita | arabia saudi",
    "qatar": "qatar | catar",
    "vatican": "vatican | vaticano | holy see | santa sede",
    "trinidad": "trinidad and tobago | trinidad y tobago | trinidad e tobago",
    "belize": "belize | belice",
    "suriname": "suriname | surinam",
    "falklands": "falkland islands | falklands | islas malvinas | malvinas | ilhas malvinas",
    "el_salvador": "el salvador | salvadoran | salvadoreno | salvadorenho",
    "panama": "panama | panamanian | panameno",
    "guatemala": "guatemala | guatemalan | guatemalteco",
    "honduras": "honduras | honduran | hondureno",
    "costa_rica": "costa rica | costa rican | costarricense",
}

# what happens, by folded stem prefix (English, Spanish, Portuguese)
_EVENTS = {
    "resign": "resign dimit dimis renunci demiti demiss",
    "remove": "oust destitu impeach vacancia",
    "summit": "summit cumbre cupula",
    "sanction": "sanction sancion sancao sancoes sancio",
    "recognise": "recogni reconoc reconhec",
    "expel": "expel expuls",
    "elect": "elect elecci elegi elegid eleic eleit eleg reelect reeleg reeleit",
    "vote": "vote voted voting votac votar votos votou",
    "meet": "meeting reunion reunio reuniu reunie",
    "sign": "signed signing signat firmar firmaro firmad assin",
    "agree": "agreement acuerdo acordo",
    "withdraw": "withdr retira retiro retirou desvincul",
    "ban": "bans banned banning prohib proib",
    "condemn": "condemn conden",
    "reject": "reject rechaz rejeit repudi",
    "arrest": "arrest detenid detenci detuv prend captur",
    "coup": "coup golpe",
    "kill": "kill killed murder asesin assassin",
    "visit": "visit",
    "appoint": "appoint nombra nomea",
    "sworn": "sworn inaugur juramen",
    "break_relations": "severed severs rompe rompi rompimento ruptur",
    "non_grata": "grata",
    "asylum": "asylum asilo",
    "extradite": "extradi",
    "deport": "deport",
    "protest": "protest",
    "dialogue": "dialog",
    "trade": "trade comerc",
    "negotiate": "negotiat negocia negocie",
    "invade": "invade invaded invasion invadi invasao",
    "attack": "attack ataque atacar atacou atacaro",
    "mediate": "mediat mediaci mediaca mediador",
    "ceasefire": "ceasefire cessar",
    "tariff": "tariff arancel tarifa",
    "migrate": "migrant migrat migraci migrac migrante refugee refugia refugiad",
    "die": "died death muri muert morre morreu morte falleci faleceu",
    "border": "border fronter frontei",
}

_PHRASE_START: dict[str, list[tuple[tuple[str, ...], str]]] = {}
_ACRONYMS: dict[str, str] = {}
for _token, _names in _PLACES_AND_BODIES.items():
    for _name in (n.strip() for n in _names.split("|")):
        if _name.isupper() or "." in _name:
            _ACRONYMS[_name.replace(".", "")] = f"@{_token}"
        else:
            _words = tuple(re.findall(r"[a-z]+", _name))
            _PHRASE_START.setdefault(_words[0], []).append((_words, f"@{_token}"))
for _entries in _PHRASE_START.values():
    _entries.sort(key=lambda entry: -len(entry[0]))      # longest phrase first
_EVENT_OF = {prefix: f"~{event}" for event, prefixes in _EVENTS.items() for prefix in prefixes.split()}
_PREFIX_LENGTHS = sorted({len(prefix) for prefix in _EVENT_OF}, reverse=True)
_WORD = re.compile(r"[a-z]+")
_CAPS = re.compile(r"\b[A-Z](?:\.?[A-Z])+\.?(?![\w])")


def concepts_named(text: str) -> frozenset[str]:
    """Places, bodies ("@oas") and happenings ("~resign") a text names, the same in en/es/pt."""
    found = {_ACRONYMS[caps] for raw in _CAPS.findall(text) if (caps := raw.replace(".", "")) in _ACRONYMS}
    words = _WORD.findall(fast_fold(text))
    for at, word in enumerate(words):
        for phrase, token in _PHRASE_START.get(word, ()):
            if tuple(words[at:at + len(phrase)]) == phrase:
                found.add(token)
                break
    found.update(filter(None, map(_event_of, set(words))))
    return frozenset(found)


@lru_cache(maxsize=1 << 16)
def _event_of(word: str) -> str:
    """The happening a folded word names by its stem ("renuncio" -> "~resign"), or ""."""
    for length in _PREFIX_LENGTHS:
        if len(word) >= length and (event := _EVENT_OF.get(word[:length])):
            return event
    return ""


def happenings(concepts: frozenset[str]) -> frozenset[str]:
    """The happenings ("~resign") among concepts, without the places and bodies ("@oas")."""
    return frozenset(c for c in concepts if c.startswith("~"))
