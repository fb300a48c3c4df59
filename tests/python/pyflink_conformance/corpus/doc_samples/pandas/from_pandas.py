# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/table/conversion_of_pandas/#convert-pandas-dataframe-to-pyflink-table
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
# The page's DataFrame is random (np.random.rand(1000, 2)); a fixed seed makes it the same
# on both sides.
from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
import pandas as pd
import numpy as np

t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
np.random.seed(0)

# Create a Pandas DataFrame
pdf = pd.DataFrame(np.random.rand(1000, 2))

# Create a PyFlink Table from a Pandas DataFrame
table = t_env.from_pandas(pdf)
print(table.to_pandas().head(3))

# Create a PyFlink Table from a Pandas DataFrame with the specified column names
table = t_env.from_pandas(pdf, ['f0', 'f1'])
print(table.to_pandas().head(3))

# Create a PyFlink Table from a Pandas DataFrame with the specified column types
table = t_env.from_pandas(pdf, [DataTypes.DOUBLE(), DataTypes.DOUBLE()])
print(table.to_pandas().head(3))

# Create a PyFlink Table from a Pandas DataFrame with the specified row type
table = t_env.from_pandas(pdf,
                          DataTypes.ROW([DataTypes.FIELD("f0", DataTypes.DOUBLE()),
                                         DataTypes.FIELD("f1", DataTypes.DOUBLE())]))
print(table.to_pandas().describe())
