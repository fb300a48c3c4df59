"""Near-line inference with the Table API (the talk's fifth scenario): a
model is loaded once per parallel instance in open() of a ScalarFunction and
called per row; the predictions go to a print sink table.

Run: fluvial run examples/table_nearline_inference.py
"""

import json
import os
import tempfile

from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.expressions import col
from pyflink.table.udf import ScalarFunction, udf

# A tiny logistic model saved as JSON, standing in for a real one on disk.
MODEL = {"weights": [0.8, -0.5], "bias": 0.1}
INPUTS = [(float(i % 7) - 3.0, float(i % 5) - 2.0) for i in range(20)]


class Predict(ScalarFunction):
    def __init__(self, model_path: str):
        self.model_path = model_path
        self.model = None

    def open(self, function_context):
        # Loaded once per instance, not per row.
        with open(self.model_path) as f:
            self.model = json.load(f)

    def eval(self, input_a, input_b):
        import math
        w = self.model["weights"]
        score = w[0] * input_a + w[1] * input_b + self.model["bias"]
        return 1.0 / (1.0 + math.exp(-score))


def save_model(directory: str) -> str:
    path = os.path.join(directory, "model.json")
    with open(path, "w") as f:
        json.dump(MODEL, f)
    return path


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as directory:
        predict = udf(Predict(save_model(directory)), result_type=DataTypes.DOUBLE())
        t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
        src_table = t_env.from_elements(INPUTS, ["input_a", "input_b"])
        t_env.execute_sql("CREATE TABLE result_sink (score DOUBLE) WITH ('connector' = 'print')")
        rst_table = src_table.select(predict(col('input_a'), col('input_b')))
        rst_table.execute_insert("result_sink").wait()
