"""Rows and untyped records as PyFlink shows them: print() of an untyped stream is the
Python str() of each record; a ROW source hands on Rows whose fields are named (f0, f1,
... for Types.ROW); a map declared to return a ROW prints +I[...]."""
from pyflink.common import Row, RowKind, Types
from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)


def run(label):
    print(f"-- {label}", flush=True)
    env.execute()


env.from_collection([('Alice', 110.1), {'k': 'v'}, 1.5, 3, True, 'text', [1, 'a'], None,
                     Row(1, 'hi'), Row(name='Bob', age=3), Row.of_kind(RowKind.DELETE, 'x'),
                     (1, Row(a=None)), 1e20, 0.0001, b'bytes'.decode(), (None, False)]).print()
run("untyped records")

env.from_collection([(1, 'a')], type_info=Types.ROW([Types.INT(), Types.STRING()])) \
    .map(lambda r: (repr(r), str(r), r.f0, r.f1, r.as_dict(), r._fields, len(r))).print()
run("fields of a Types.ROW record")

env.from_collection([(1, 'a')], type_info=Types.ROW_NAMED(['id', 'v'], [Types.INT(), Types.STRING()])) \
    .map(lambda r: (repr(r), r.id, r['v'], r[0], 'id' in r, r.get_row_kind())).print()
run("fields of a Types.ROW_NAMED record")

env.from_collection([(1, 110.1)], type_info=Types.TUPLE([Types.INT(), Types.FLOAT()])) \
    .map(lambda t: (t[1], type(t).__name__, t[1] * 2)).print()
run("a FLOAT field is a 32-bit float")

env.from_collection([(1, 'a'), (2, 'b')]) \
    .map(lambda t: Row(t[0], t[1]), output_type=Types.ROW([Types.INT(), Types.STRING()])).print()
run("map declared to return a ROW")

env.from_collection([(1, 'a')]) \
    .map(lambda t: Row(id=t[0], v=t[1]), output_type=Types.ROW_NAMED(['id', 'v'], [Types.INT(), Types.STRING()])) \
    .map(lambda r: str(r)).print()
run("str of a named Row")

env.from_collection([(1, 'a')]).map(lambda t: Row(t[0], t[1])).print()
run("an untyped stream of Rows")

env.from_collection([('k', 1.5, None)], type_info=Types.ROW_NAMED(
    ['key', 'score', 'note'], [Types.STRING(), Types.DOUBLE(), Types.STRING()])).print()
run("print of a ROW_NAMED source")
