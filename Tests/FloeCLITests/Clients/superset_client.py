"""Apache Superset (PyPI's apache-superset) connecting to floe serve's SQL API as a user adds a database.

Usage: superset_client.py SQLALCHEMY_URI WORK_DIR

Initializes a throwaway Superset (its metadata in WORK_DIR), then does what its UI does with a
new PostgreSQL database: the connection test (do_ping), the schema/table/view/column browser
(SQLAlchemy's inspector through Superset's Database model), and a SQL Lab query with SQL Lab's
row limit applied by Superset's own SQL rewriting. Prints one JSON object.
"""
import json
import os
import subprocess
import sys

uri, work = sys.argv[1], sys.argv[2]
config = os.path.join(work, "superset_config.py")
with open(config, "w") as handle:
    handle.write(f'''
SECRET_KEY = "floe-test-superset-secret-key-0123456789abcdefghijklmnop"
SQLALCHEMY_DATABASE_URI = "sqlite:///{work}/superset.db"
CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
DATA_CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
FILTER_STATE_CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
EXPLORE_FORM_DATA_CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
THUMBNAIL_CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
''')
os.environ["SUPERSET_CONFIG_PATH"] = config
superset = os.path.join(os.path.dirname(sys.executable), "superset")
subprocess.run([superset, "db", "upgrade"], check=True, capture_output=True)

from superset.app import create_app  # noqa: E402

app = create_app()
result = {}
with app.app_context():
    from superset.models.core import Database
    from superset.sql.parse import Table

    database = Database(database_name="floe", sqlalchemy_uri=uri, expose_in_sqllab=True)
    with database.get_sqla_engine() as engine:
        with engine.connect() as connection:
            result["ping"] = bool(engine.dialect.do_ping(connection.connection.dbapi_connection))
    result["schemas"] = sorted(database.get_all_schema_names())
    result["tables"] = sorted(t[0] for t in database.get_all_table_names_in_schema(None, "public"))
    result["views"] = sorted(t[0] for t in database.get_all_view_names_in_schema(None, "public"))
    result["columns"] = [[c["column_name"], str(c["type"])] for c in database.get_columns(Table("Orders", "public"))]
    sql = database.apply_limit_to_sql(
        "SELECT status, MEASURE(count) AS orders FROM \"Orders\" WHERE status ILIKE '%e%' GROUP BY 1 ORDER BY 1", 1001)
    result["sqllab_sql"] = sql
    frame = database.get_df(sql, None, "public")
    result["sqllab_rows"] = [[str(v) for v in row] for row in frame.itertuples(index=False)]
print(json.dumps(result))
