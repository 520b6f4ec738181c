"""Dates keep the profile's precision: a year stays a year, a month a month, and only a day given is a day.

Each row is read off the profile: the sentence, how it words the date, the precision that wording gives, and the
claim or event that carries it with the value expected.
"""

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

pytestmark = pytest.mark.slow

PRECISION = {"year": XSD.gYear, "month": XSD.gYearMonth, "day": XSD.date}

# (sentence, the profile's wording of the date, precision, claim, property, value)
DATES = [
    ("5.1.1", "January 18th 2012", "day", "evt:2012-01-18-aguelhok-attack", "cao:date", "2012-01-18"),
    ("5.3.1", "April 6th", "day", "evt:2012-04-06-independence-declaration", "cao:date", "2012-04-06"),
    ("5.3.3", "May 26th", "day", "evt:2012-05-26-islamic-republic-declaration", "cao:date", "2012-05-26"),
    ("6.1.3", "June 8th", "day", "evt:2012-06-08-kidal-region-protest", "cao:date", "2012-06-08"),
    ("6.2.4", "June 27th", "day", "evt:2012-06-27-gao-capture-by-mojwa", "cao:date", "2012-06-27"),
    ("6.3.2", "April 26th", "day", "evt:2012-04-26-maa-timbuktu-region-occupation", "cao:date", "2012-04-26"),
    ("6.3.4", "November 28th", "day", "evt:2012-11-28-lere-capture-by-aqim", "cao:date", "2012-11-28"),
    ("7.10.5", "January 18th 2017", "day", "evt:2017-01-18-gao-suicide-bombing", "cao:date", "2017-01-18"),
    ("8.3.7", "September 22th", "day", "evt:2022-09-22-independence-day-march", "cao:date", "2022-09-22"),
    ("8.9.1", "November 15th", "day", "evt:2023-11-15-kidal-capture", "cao:date", "2023-11-15"),
    ("8.9.6", "December 20th", "day", "evt:2023-12-20-aguelhok-recapture", "cao:date", "2023-12-20"),
    ("6.2.5", "in November", "month", "evt:2012-11-ansongo-capture-by-mojwa", "cao:date", "2012-11"),
    ("7.2.6", "mid-May 2014", "month", "evt:2014-05-kidal-clashes", "cao:date", "2014-05"),
    ("7.3.1", "May 2013", "month", "evt:2013-05-hcua-founding", "cao:date", "2013-05"),
    ("7.5.1", "June 2015", "month", "evt:2015-06-algiers-accord", "cao:start", "2015-06"),
    ("7.7.4", "by December 2015", "month", "clm:tuareg-government-armed-politics", "cao:date", "2015-12"),
    ("7.9.1", "September 2016", "month", "evt:2016-09-msa-founding", "cao:date", "2016-09"),
    ("7.11.4", "July 2019", "month", "evt:2019-07-msa-d-joins-plateforme", "cao:date", "2019-07"),
    ("8.2.1", "August 2020", "month", "evt:2020-08-malian-coup", "cao:date", "2020-08"),
    ("8.3.3", "March 2022", "month", "evt:2022-03-massacre", "cao:date", "2022-03"),
    ("12.4.2", "April 2021", "month", "evt:2021-04-sidati-assassination", "cao:date", "2021-04"),
    ("13.1.1", "June 2012", "month", "clm:mnla-strength-2012", "cao:date", "2012-06"),
    ("n6.1", "March 2014", "month", "evt:2014-03-cpa-founding", "cao:date", "2014-03"),
    ("n7.1", "October 2016", "month", "evt:2016-10-ag-aoussa-assassination", "cao:date", "2016-10"),
    ("n8.1", "August 2021", "month", "evt:2021-08-al-sahraoui-killing", "cao:date", "2021-08"),
    ("1.1.2", "in 2014", "year", "evt:2014-cma-founding", "cao:date", "2014"),
    ("3.2.1", "1962–64", "year", "evt:1962-1964-tuareg-rebellion", "cao:start", "1962"),
    ("3.2.1", "1962–64", "year", "evt:1962-1964-tuareg-rebellion", "cao:end", "1964"),
    ("3.3.1", "in 2010", "year", "evt:2010-mna-founding", "cao:date", "2010"),
    ("7.8.1", "In 2016", "year", "evt:2016-mohamed-ag-intalla-proposes-talks-with-jihadists", "cao:date", "2016"),
    ("7.10.1", "in 2017", "year", "evt:2017-msa-split", "cao:date", "2017"),
    ("8.3.1", "at the end of 2021", "year", "evt:2021-wagner-deployment", "cao:date", "2021"),
    ("8.6.2", "since at least 2019", "year", "clm:alghabass-ag-intalla-objective-cma-unification", "cao:start", "2019"),
    ("15.1.2", "in 2015", "year", "evt:2015-is-gs-founding", "cao:date", "2015"),
    ("15.1.2", "a 2017 merger", "year", "evt:2017-jnim-founding", "cao:date", "2017"),
]


@pytest.mark.parametrize("sentence, wording, precision, claim, prop, value", DATES,
                         ids=[f"{row[3]}-{row[4]}" for row in DATES])
def test_a_date_has_the_precision_of_its_wording(ask, sentence, wording, precision, claim, prop, value):
    rows = ask(f"SELECT ?value WHERE {{ {claim} {prop} ?value ; cao:statedIn sen:{sentence} }}")
    assert rows == [(Literal(value, datatype=PRECISION[precision]),)], wording
