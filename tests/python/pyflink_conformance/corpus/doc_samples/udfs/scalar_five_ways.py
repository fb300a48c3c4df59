# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/table/udfs/python_udfs/#scalar-functions
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
# Each of the page's five definitions of 'add' is applied in turn.
import functools

from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.expressions import call
from pyflink.table.udf import ScalarFunction, udf

table_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
my_table = table_env.from_elements([(1, 2), (10, 20), (100, 200)], ['a', 'b'])
adds = []


# option 1: extending the base class `ScalarFunction`
class Add(ScalarFunction):
  def eval(self, i, j):
    return i + j


add = udf(Add(), result_type=DataTypes.BIGINT())
adds.append(add)


# option 2: Python function
@udf(result_type=DataTypes.BIGINT())
def add(i, j):
  return i + j


adds.append(add)

# option 3: lambda function
add = udf(lambda i, j: i + j, result_type=DataTypes.BIGINT())
adds.append(add)


# option 4: callable function
class CallableAdd(object):
  def __call__(self, i, j):
    return i + j


add = udf(CallableAdd(), result_type=DataTypes.BIGINT())
adds.append(add)


# option 5: partial function
def partial_add(i, j, k):
  return i + j + k


add = udf(functools.partial(partial_add, k=1), result_type=DataTypes.BIGINT())
adds.append(add)

for add in adds:
    # register the Python function
    table_env.create_temporary_function("add", add)
    # use the function in Python Table API
    print(my_table.select(call("add", my_table.a, my_table.b)).to_pandas())

    # You can also use the Python function in Python Table API directly
    print(my_table.select(add(my_table.a, my_table.b)).to_pandas())
    table_env.drop_temporary_function("add")  # completion: the next option registers its own
