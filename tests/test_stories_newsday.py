"""The news day a lead states, and days named as ahead (bot.stories.newsday, bot.stories.evidence)."""
from __future__ import annotations

from bot.stories.evidence import days_ahead
from bot.stories.group import SAME_EVENT, STRONG_EVENT, _date_factor, _merge, group_stories, same_event
from bot.stories.newsday import NewsDay, combined, news_day, news_days_agree, reported_after
from bot.stories.profile import profile_of
from tests.support.factories import make_article

NO_DATE = (None, None, None)


def test_the_news_day_is_read_from_the_lead_in_english_spanish_and_portuguese():
    assert news_day("The Lima Group said Monday, December 7, that the vote lacked legitimacy.", NO_DATE) == \
        NewsDay(weekday=0, month=12, day=7)
    assert news_day("Guaidó se declarou, nesta quarta-feira (23), presidente interino.", NO_DATE) == \
        NewsDay(weekday=2, day=23)
    assert news_day("Juan Guaidó asumió hoy 23/1 las funciones de presidente.", NO_DATE) == NewsDay(month=1, day=23)
    assert news_day("Así lo anunció este viernes 19 de noviembre el canciller.", NO_DATE) == \
        NewsDay(weekday=4, month=11, day=19)
    assert news_day("Boluarte spoke this Wednesday (01.25.2023) at the council.", NO_DATE).ordinal is not None
    assert news_day("O presidente disse nesta terça (24) que", NO_DATE) == NewsDay(weekday=1, day=24)
    assert news_day("Lula venceu na segunda rodada", NO_DATE) == NewsDay()     # "segunda" alone: the second


def test_background_days_and_far_bare_dates_are_not_the_news_day():
    # "el pasado viernes" is what happened before; a weekday after it is the news
    assert news_day("La asamblea instalada el pasado viernes fue rechazada el martes.", NO_DATE).weekday == 1
    assert news_day("The ministers met in Lima to discuss the crisis in the region.", NO_DATE) == NewsDay()
    late = "x" * 500 + " On February 10, the president compared the police to troops."
    assert news_day(late, NO_DATE) == NewsDay()             # a bare date deep in the text is background


def test_the_articles_own_date_comes_first_and_a_month_date_is_completed_by_the_lead():
    assert news_day("on Friday", (2017, 8, 8)) == NewsDay(weekday=1, month=8, day=8, ordinal=736549)
    assert news_day("los cancilleres negaron hoy 8 de agosto la legitimidad", (2017, 8, None)).ordinal == 736549
    assert news_day("no day stated here", (2021, 3, None)) == NewsDay(month=3)


def test_news_days_agree_disagree_or_say_nothing():
    wednesday_23, january_23 = NewsDay(weekday=2, day=23), NewsDay(month=1, day=23)
    assert news_days_agree(wednesday_23, january_23, 3) is True                        # the same day of the month
    assert news_days_agree(NewsDay(month=12, day=7), NewsDay(month=3), 3) is False      # months apart
    assert news_days_agree(NewsDay(weekday=1), NewsDay(weekday=4), 3) is False          # Tuesday, Friday
    assert news_days_agree(NewsDay(weekday=1), NewsDay(weekday=2), 3) is None           # one meeting's two days
    assert news_days_agree(NewsDay(weekday=1), NewsDay(weekday=1), 3) is True
    assert news_days_agree(NewsDay(weekday=1), NewsDay(weekday=1), 3, weekday_confirms=False) is None
    assert news_days_agree(NewsDay(), january_23, 3) is None


def test_days_named_as_ahead_and_news_reported_after_them():
    assert days_ahead("rejected Venezuela's plans to hold parliamentary elections on December 6") == {(12, 6)}
    assert days_ahead("las elecciones previstas para el 6 de diciembre") == {(12, 6)}
    assert days_ahead("the elections of December 6 were a fraud") == frozenset()
    ahead = frozenset({(12, 6)})
    assert reported_after(ahead, NewsDay(month=12, day=7))         # the results: after the day
    assert reported_after(ahead, NewsDay(month=8, day=8))          # months before: another happening
    assert not reported_after(ahead, NewsDay(month=11, day=20))    # the weeks before the day
    assert not reported_after(ahead, NewsDay(weekday=1))


PLANS = ("Lima Group rejects Venezuela's election plans",
         "The Lima Group on Tuesday rejected Venezuela's plans to hold parliamentary elections on December 6, "
         "saying Nicolás Maduro's government offers no guarantees to the opposition of Juan Guaidó.")
RESULTS = ("Lima Group says Venezuela's vote was illegitimate",
           "The Lima Group said Monday, December 7, that the parliamentary elections of December 6 lacked "
           "legitimacy, as Nicolás Maduro's government won after the opposition of Juan Guaidó stayed away.")


def undated(id: str, told: tuple[str, str], language: str = "en"):
    title, lead = told
    return make_article(id, title=title, body=lead, key_points=(lead,), language=language, published="",
                        themes=("lima_group", "venezuela"))


def test_a_vote_announced_as_ahead_and_its_results_are_two_stories():
    plans, results = undated("plans", PLANS), undated("results", RESULTS)
    assert same_event(plans, results) == 0.0
    assert len(group_stories([plans, results])) == 2


def test_undated_reports_in_two_languages_that_state_the_same_day_join():
    english = undated("en", ("Guaidó declares himself interim president",
                             "Juan Guaidó declared himself Venezuela's interim president on Wednesday, January 23, "
                             "and the OAS and Brazil recognised him."))
    spanish = undated("es", ("Guaidó se declara presidente interino",
                             "Juan Guaidó se declaró hoy 23/1 presidente interino de Venezuela; la OEA y Brasil "
                             "lo reconocieron."), language="es")
    no_day = undated("es2", ("Guaidó se declara presidente interino",
                             "Juan Guaidó se declaró presidente interino de Venezuela; la OEA y Brasil "
                             "lo reconocieron."), language="es")
    assert same_event(english, spanish) > same_event(english, no_day)
    assert same_event(english, spanish) >= SAME_EVENT


def test_the_same_weekday_confirms_nothing_within_one_language():
    told = ("Minister details smoking ban", "The first minister told parliament on Wednesday that a ban on "
            "smoking in public places would be introduced.")
    other = ("Minister details flood toll", "The first minister told parliament on Wednesday that three "
             "people died in the floods.")
    one_language = _date_factor(profile_of(undated("a", told)), profile_of(undated("b", other)))
    two_languages = _date_factor(profile_of(undated("a", told)), profile_of(undated("b", other, language="es")))
    assert one_language == SAME_EVENT / STRONG_EVENT < two_languages == 1.0


def test_a_dateline_states_the_news_day():
    lead = "Boluarte asks OAS for support\nWashington, Jan 25 (EFE).- President Dina Boluarte on Wednesday urged"
    assert news_day(lead, NO_DATE) == NewsDay(weekday=2, month=1, day=25)
    assert news_day("Title\nLIMA, 8 de agosto de 2017 – Los cancilleres", NO_DATE).ordinal == 736549
    assert news_day("Title\nThe Lima Group, which met in Lima - said", NO_DATE) == NewsDay()


def test_what_a_storys_articles_state_together_confirms_an_unsure_pair():
    # 0 says "on Wednesday", 1 "hoy 23/1", 2 "nesta quarta-feira (23)": 0 + 2 join first; together they
    # state Wednesday the 23rd, which 1's "23/1" agrees with, so the unsure pair 0 / 1 counts as dated
    news = [NewsDay(weekday=2), NewsDay(month=1, day=23), NewsDay(weekday=2, day=23)]
    assert combined(news[0], news[2]) == NewsDay(weekday=2, day=23)
    assert combined(NewsDay(weekday=1, day=8), NewsDay(weekday=2, day=8)) == NewsDay(day=8)   # disagreeing: unknown

    def score(i: int, j: int, confirmed: bool = False) -> float:
        unsure = {(0, 1): 0.27}.get((min(i, j), max(i, j)))
        if unsure is not None:
            return unsure * STRONG_EVENT / SAME_EVENT if confirmed else unsure
        return {(0, 2): 0.5, (1, 2): 0.34}[(min(i, j), max(i, j))]

    scored = [(0.5, 0, 2), (0.34, 1, 2)]
    spans = [(None, None)] * 3
    assert sorted(map(sorted, _merge(3, scored, spans, score, news))) == [[0, 1, 2]]
    alone = [NewsDay(weekday=2), NewsDay(month=1, day=23), NewsDay(weekday=2)]     # no day of the month in common
    assert sorted(map(sorted, _merge(3, scored, spans, score, alone))) == [[0, 2], [1]]


def test_stories_that_state_one_news_day_join_with_a_cross_pair_a_little_short():
    # 0 + 2 join first (0.5); 1 joins them on 1 + 2 (0.40) although 0 + 1 is 0.28: fine when the two
    # stories state the same news day (the 8th of August), never when nothing confirms it
    def score(i: int, j: int, confirmed: bool = False) -> float:
        return {(0, 2): 0.5, (1, 2): 0.40, (0, 1): 0.28}[(min(i, j), max(i, j))]

    scored, spans = [(0.5, 0, 2), (0.40, 1, 2)], [(None, None)] * 3
    stated = [NewsDay(weekday=1), NewsDay(month=8, day=8), NewsDay(month=8, day=8)]
    assert sorted(map(sorted, _merge(3, scored, spans, score, stated))) == [[0, 1, 2]]
    unknown = [NewsDay(), NewsDay(), NewsDay()]
    assert sorted(map(sorted, _merge(3, scored, spans, score, unknown))) == [[0, 2], [1]]
    too_short = lambda i, j, confirmed=False: 0.26 if {i, j} == {0, 1} else score(i, j)   # noqa: E731
    assert sorted(map(sorted, _merge(3, scored, spans, too_short, stated))) == [[0, 2], [1]]
