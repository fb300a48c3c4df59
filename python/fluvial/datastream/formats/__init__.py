"""File formats of the DataStream API (PyFlink's pyflink.datastream.formats): CSV, JSON,
Parquet, ORC and Avro, read through FileSource and written through FileSink. Each module
has PyFlink's names; Arrow (through pyarrow) and fastavro do the parsing and writing."""
