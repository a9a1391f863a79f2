"""Query parameters of the API: a strict grammar, pure (values in, values out, no clock).

`readers` takes them from a query string or a JSON body; `scope` parses which videos, `timing`
when (timeframe, bucket width, time zone), `values` the plain numbers and choices; `endpoints`
says what each endpoint accepts and parses them all into one `StatsParams`.
"""

from app.api.params.endpoints import (
    ACCEPTED,
    By,
    Compare,
    Endpoint,
    Format,
    Order,
    Sort,
    StatsParams,
    parse_params,
)
from app.api.params.errors import ParamError
from app.api.params.readers import from_json_body, from_query_string, merge
from app.api.params.scope import (
    COUNTRY_RULE,
    EVERY_KEY,
    NO_FILTERS,
    UNKNOWN_COUNTRY,
    Filters,
    OutOfReach,
    Reach,
    VideoQuery,
    parse_country,
    parse_identifier,
    parse_new_key,
    parse_query,
    restrict,
)
from app.api.params.timing import (
    DEFAULT_INTERVAL,
    DEFAULT_TIMEFRAME_TEXT,
    MAX_DECIMAL,
    Timeframe,
    Word,
    before,
    parse_timeframe,
    parse_timezone,
)
from app.api.params.values import (
    DEFAULT_LIMIT,
    DEFAULT_MINIMUM_WATCH_SECONDS,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_RANGES,
)
from app.keyrules import KEY_PATTERN, KEY_RULE  # re-exported: the routes and the CLI take them from here

__all__ = [
    "ACCEPTED",
    "COUNTRY_RULE",
    "DEFAULT_INTERVAL",
    "DEFAULT_LIMIT",
    "DEFAULT_MINIMUM_WATCH_SECONDS",
    "DEFAULT_TIMEFRAME_TEXT",
    "EVERY_KEY",
    "KEY_PATTERN",
    "KEY_RULE",
    "MAX_DECIMAL",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_RANGES",
    "NO_FILTERS",
    "UNKNOWN_COUNTRY",
    "By",
    "Compare",
    "Endpoint",
    "Filters",
    "Format",
    "Order",
    "OutOfReach",
    "ParamError",
    "Reach",
    "Sort",
    "StatsParams",
    "Timeframe",
    "VideoQuery",
    "Word",
    "before",
    "from_json_body",
    "from_query_string",
    "merge",
    "parse_country",
    "parse_identifier",
    "parse_new_key",
    "parse_params",
    "parse_query",
    "parse_timeframe",
    "parse_timezone",
    "restrict",
]
