# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/table/conversion_of_pandas/#convert-pyflink-table-to-pandas-dataframe
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.table import EnvironmentSettings, TableEnvironment
from pyflink.table.expressions import col
import pandas as pd
import numpy as np

t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
np.random.seed(0)

# Create a PyFlink Table
pdf = pd.DataFrame(np.random.rand(1000, 2))
table = t_env.from_pandas(pdf, ["a", "b"]).filter(col('a') > 0.5)

# Convert the PyFlink Table to a Pandas DataFrame
pdf = table.limit(100).to_pandas()
print(pdf.shape)
print(pdf.head(5))
