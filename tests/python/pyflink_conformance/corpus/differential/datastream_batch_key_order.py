"""BATCH mode: a keyed reduce emits each key's final value once, and Flink emits the
keys sorted by their serialized form (a key without key_type is a pickle, compared as
Java's signed bytes; a STRING key_type compares as Java Strings)."""
from pyflink.common import Types
from pyflink.datastream import RuntimeExecutionMode, StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.set_runtime_mode(RuntimeExecutionMode.BATCH)
env.set_parallelism(1)

words = "the Quick brown fox jumps over the lazy dog a Zebra émigré straße Ärger zoë 10 9 100".split()

print("-- pickled str keys", flush=True)
env.from_collection(words).map(lambda w: (w, 1)) \
    .key_by(lambda t: t[0]).reduce(lambda a, b: (a[0], a[1] + b[1])).print()
env.execute()

print("-- STRING key_type", flush=True)
env.from_collection(words).map(lambda w: (w, 1), output_type=Types.TUPLE([Types.STRING(), Types.INT()])) \
    .key_by(lambda t: t[0], key_type=Types.STRING()).reduce(lambda a, b: (a[0], a[1] + b[1])).print()
env.execute()

print("-- pickled int keys", flush=True)
env.from_collection([5, -3, 300, 70000, 2, -300, 5, 1 << 40, 0]).map(lambda n: (n, 1)) \
    .key_by(lambda t: t[0]).sum(1).print()
env.execute()

print("-- INT key_type", flush=True)
env.from_collection([5, -3, 300, 70000, 2, -300, 5, 0]) \
    .map(lambda n: (n, 1), output_type=Types.TUPLE([Types.INT(), Types.INT()])) \
    .key_by(lambda t: t[0], key_type=Types.INT()).sum(1).print()
env.execute()
