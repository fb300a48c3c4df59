# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/datastream/data_types/#supported-data-types
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
# One value of each type in the page's tables, declared with that type and printed; all but
# Types.CHAR(), which real PyFlink 2.2 fails on (a str is not cast to java.lang.Character),
# Types.PICKLED_BYTE_ARRAY(), whose bytes a Java print of the row cannot show, and
# Types.BIG_INT()/BIG_DEC(), which PyFlink 2.2 fails to encode in a row (decimal.InvalidOperation).
import datetime

from pyflink.common import Row
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)

values = [
    (True, Types.BOOLEAN()), (7, Types.BYTE()), (300, Types.SHORT()), (70000, Types.INT()),
    (2 ** 40, Types.LONG()), (1.5, Types.FLOAT()), (0.1, Types.DOUBLE()),
    ('flink', Types.STRING()),
    ((1, 'a'), Types.TUPLE([Types.INT(), Types.STRING()])),
    (Row(1, 'a'), Types.ROW([Types.INT(), Types.STRING()])),
    (Row(id=1, name='a'), Types.ROW_NAMED(['id', 'name'], [Types.INT(), Types.STRING()])),
    ({'k': 1}, Types.MAP(Types.STRING(), Types.INT())),
    (datetime.date(2024, 1, 2), Types.SQL_DATE()),
    (datetime.time(3, 4, 5), Types.SQL_TIME()),
    (datetime.datetime(2024, 1, 2, 3, 4, 5, 123000), Types.SQL_TIMESTAMP()),
    ([1, 2, 3], Types.LIST(Types.INT())),
    (b'abc', Types.PRIMITIVE_ARRAY(Types.BYTE())),
    ([1, 2], Types.PRIMITIVE_ARRAY(Types.INT())),
    ([1.5, 2.5], Types.PRIMITIVE_ARRAY(Types.DOUBLE())),
    ([1, 2], Types.BASIC_ARRAY(Types.LONG())),
    (['a', 'b'], Types.BASIC_ARRAY(Types.STRING())),
]
# completion: all of them as the fields of one row, so one job prints them all
row_type = Types.ROW_NAMED(['f%d' % i for i in range(len(values))], [t for _, t in values])
env.from_collection([Row(*[v for v, _ in values])], type_info=row_type).print()
env.execute()
