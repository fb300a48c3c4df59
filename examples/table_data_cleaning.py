"""Real-time data cleaning with the Table API (the talk's first scenario):
drop invalid prices with a Python UDF filter, normalize a column with
add_or_replace_columns, the same as a row operation with map, and once more
as a pandas map over whole batches.

Run: fluvial run examples/table_data_cleaning.py
"""

import pandas as pd
from pyflink.common import Row
from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.expressions import col
from pyflink.table.udf import udf

# (price, item_id): some prices are invalid (<= 0), some item ids are missing.
EVENTS = [(float((i * 37) % 11) - 3.0, None if i % 4 == 0 else i) for i in range(40)]

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
src_table = t_env.from_elements(EVENTS, DataTypes.ROW([DataTypes.FIELD("price", DataTypes.FLOAT()),
                                                       DataTypes.FIELD("item_id", DataTypes.BIGINT())]))


# Filter out invalid data.
@udf(result_type=DataTypes.BOOLEAN())
def filter_price(price):
    return price > 0


filtered_table = src_table.filter(filter_price(col('price')))


# Column operation: normalize one column.
@udf(result_type=DataTypes.BIGINT())
def normalize(item_id):
    if item_id is None:
        return -1
    return item_id


normalized_table = filtered_table.add_or_replace_columns(normalize(src_table.item_id).alias('item_id'))


# Row operation: the same normalization on whole rows.
@udf(result_type=DataTypes.ROW([DataTypes.FIELD("price", DataTypes.FLOAT()),
                                DataTypes.FIELD("item_id", DataTypes.BIGINT())]))
def row_based_normalize(value: Row) -> Row:
    if value.item_id is None:
        value['item_id'] = -1
    return value


row_normalized_table = filtered_table.map(row_based_normalize)


# Pandas: the row operation over a whole batch at once.
@udf(result_type=DataTypes.ROW([DataTypes.FIELD("price", DataTypes.FLOAT()),
                                DataTypes.FIELD("item_id", DataTypes.BIGINT())]),
     func_type="pandas")
def pandas_normalize(data: pd.DataFrame) -> pd.DataFrame:
    data['item_id'] = data['item_id'].fillna(-1)
    return data


pandas_normalized_table = filtered_table.map(pandas_normalize)

if __name__ == "__main__":
    for name, table in (("columns", normalized_table), ("rows", row_normalized_table),
                        ("pandas", pandas_normalized_table)):
        with table.execute().collect() as results:
            for row in results:
                print(name, row.price, row.item_id)
