"""print() of a stream of each Types.*: PyFlink shows typed records as Java's toString
(a TUPLE as (a,1), FLOAT as a 32-bit float, INSTANT in ISO-8601, a MAP in HashMap order)
and ROW records as +I[...] of each field's Python str(). One job per case, so the
output order is fixed."""
import datetime
from decimal import Decimal

from pyflink.common import Instant, Types
from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)


def show(label, collection, type_info):
    print(f"-- {label}", flush=True)
    env.from_collection(collection, type_info=type_info).print()
    env.execute()


show("STRING", ['a', 'b c'], Types.STRING())
show("BOOLEAN", [True, False], Types.BOOLEAN())
show("BYTE", [1, -128], Types.BYTE())
show("SHORT", [300, -2], Types.SHORT())
show("INT", [7, -2147483648], Types.INT())
show("LONG", [2 ** 40, -1], Types.LONG())
show("FLOAT", [110.1, 0.1, 1e10, 1.5e-5, 3.0, 12345678.0, 0.001], Types.FLOAT())
show("DOUBLE", [110.1, 1e10, 1.5e-5, 3.0, 12345678.0, 1e-3, 1e7, 1e21], Types.DOUBLE())
show("BIG_INT", [2 ** 70], Types.BIG_INT())
show("BIG_DEC", [Decimal('1.10'), Decimal('12345.6789')], Types.BIG_DEC())
show("SQL_DATE", [datetime.date(2024, 1, 31)], Types.SQL_DATE())
show("SQL_TIME", [datetime.time(12, 30, 5)], Types.SQL_TIME())
show("SQL_TIMESTAMP", [datetime.datetime(2024, 1, 31, 12, 30),
                       datetime.datetime(2024, 1, 31, 12, 30, 5, 120000)], Types.SQL_TIMESTAMP())
show("INSTANT", [Instant(0, 0), Instant(1700000000, 123000000)], Types.INSTANT())
show("MAP", [{'b': 1, 'a': 2, 'banana': 3, 'apple': 4}], Types.MAP(Types.STRING(), Types.INT()))
show("MAP int keys", [{3: 'c', 1: 'a', 20: 't'}], Types.MAP(Types.INT(), Types.STRING()))
show("MAP many keys", [{f"key{i * 7 % 13}": i for i in range(13)}], Types.MAP(Types.STRING(), Types.LONG()))
show("TUPLE", [('a', 1, 110.1, True, None)],
     Types.TUPLE([Types.STRING(), Types.INT(), Types.FLOAT(), Types.BOOLEAN(), Types.STRING()]))
show("ROW", [(1, 'hi', 110.1, True, None)],
     Types.ROW([Types.INT(), Types.STRING(), Types.FLOAT(), Types.BOOLEAN(), Types.STRING()]))
show("ROW_NAMED", [(1, 'hi', 2.5)],
     Types.ROW_NAMED(['id', 'name', 'score'], [Types.INT(), Types.STRING(), Types.DOUBLE()]))
show("ROW nested", [(1, (2, 'x'))], Types.ROW([Types.INT(), Types.ROW([Types.INT(), Types.STRING()])]))
show("TUPLE with LIST", [('a', [1, 2])], Types.TUPLE([Types.STRING(), Types.LIST(Types.INT())]))
show("TUPLE with arrays", [('a', [1, 2], ['x', None])],
     Types.TUPLE([Types.STRING(), Types.PRIMITIVE_ARRAY(Types.INT()), Types.BASIC_ARRAY(Types.STRING())]))
show("ROW with LIST, MAP and DOUBLE", [(1, [1, 2], {'k': 1.5}, 1e10, 0.1)],
     Types.ROW([Types.INT(), Types.LIST(Types.INT()), Types.MAP(Types.STRING(), Types.DOUBLE()),
                Types.DOUBLE(), Types.FLOAT()]))
show("TUPLE with ROW", [('a', (1, 'b'))],
     Types.TUPLE([Types.STRING(), Types.ROW([Types.INT(), Types.STRING()])]))

print("-- map with output_type TUPLE", flush=True)
env.from_collection([('a', 1.25), ('b', 110.1)]) \
    .map(lambda t: (t[0], t[1], t[1]), output_type=Types.TUPLE([Types.STRING(), Types.FLOAT(), Types.DOUBLE()])) \
    .print()
env.execute()
print("-- map with output_type MAP", flush=True)
env.from_collection([3]) \
    .map(lambda n: {f"w{i}": i for i in range(n * 4)}, output_type=Types.MAP(Types.STRING(), Types.INT())) \
    .print()
env.execute()
print("-- key_by and reduce keep the TUPLE type", flush=True)
env.from_collection([('x', 1), ('y', 2), ('x', 3)], type_info=Types.TUPLE([Types.STRING(), Types.INT()])) \
    .key_by(lambda t: t[0]).reduce(lambda a, b: (a[0], a[1] + b[1])).print()
env.execute()
