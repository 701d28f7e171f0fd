import FloePGWire

/// The system catalogs a PostgreSQL client reads before it queries (psql's `\d`, SQLAlchemy's
/// inspector, BI tools' schema browsers), with the columns and types PostgreSQL 14 gives them.
/// Those that describe the cubes are filled (`pg_namespace`, `pg_class`, `pg_attribute`,
/// `pg_type`, `pg_database`, `pg_description`, `information_schema.tables/columns/schemata`);
/// the rest exist, empty, so that the queries that join them run.
enum CatalogTables {
    struct Table {
        var schema: String
        var name: String
        var columns: [(name: String, type: PGType)]
    }

    private static func table(_ schema: String, _ name: String, _ columns: String) -> Table {
        Table(schema: schema, name: name, columns: columns.split(separator: " ").map { spec in
            let parts = spec.split(separator: ":")
            return (String(parts[0]), PGType.named(String(parts[1])) ?? .text)
        })
    }

    static let all: [Table] = [
        table("pg_catalog", "pg_namespace", "oid:oid nspname:name nspowner:oid nspacl:_aclitem"),
        table("pg_catalog", "pg_class", """
            oid:oid relname:name relnamespace:oid reltype:oid reloftype:oid relowner:oid relam:oid relfilenode:oid reltablespace:oid \
            relpages:int4 reltuples:float4 relallvisible:int4 reltoastrelid:oid relhasindex:bool relisshared:bool relpersistence:char \
            relkind:char relnatts:int2 relchecks:int2 relhasrules:bool relhastriggers:bool relhassubclass:bool relrowsecurity:bool \
            relforcerowsecurity:bool relispopulated:bool relreplident:char relispartition:bool relrewrite:oid relfrozenxid:int8 \
            relminmxid:int8 relacl:_aclitem reloptions:_text relpartbound:pg_node_tree
            """),
        table("pg_catalog", "pg_attribute", """
            attrelid:oid attname:name atttypid:oid attstattarget:int4 attlen:int2 attnum:int2 attndims:int4 attcacheoff:int4 \
            atttypmod:int4 attbyval:bool attalign:char attstorage:char attcompression:char attnotnull:bool atthasdef:bool \
            atthasmissing:bool attidentity:char attgenerated:char attisdropped:bool attislocal:bool attinhcount:int4 attcollation:oid \
            attacl:_aclitem attoptions:_text attfdwoptions:_text
            """),
        table("pg_catalog", "pg_type", """
            oid:oid typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool typtype:char typcategory:char \
            typispreferred:bool typisdefined:bool typdelim:char typrelid:oid typelem:oid typarray:oid typinput:regproc \
            typoutput:regproc typreceive:regproc typsend:regproc typmodin:regproc typmodout:regproc typanalyze:regproc typalign:char \
            typstorage:char typnotnull:bool typbasetype:oid typtypmod:int4 typndims:int4 typcollation:oid typdefaultbin:pg_node_tree \
            typdefault:text typacl:_aclitem
            """),
        table("pg_catalog", "pg_database", """
            oid:oid datname:name datdba:oid encoding:int4 datcollate:name datctype:name datistemplate:bool datallowconn:bool \
            datconnlimit:int4 datlastsysoid:oid datfrozenxid:int8 datminmxid:int8 dattablespace:oid datacl:_aclitem
            """),
        table("pg_catalog", "pg_description", "objoid:oid classoid:oid objsubid:int4 description:text"),
        table("pg_catalog", "pg_attrdef", "oid:oid adrelid:oid adnum:int2 adbin:pg_node_tree"),
        table("pg_catalog", "pg_am", "oid:oid amname:name amhandler:regproc amtype:char"),
        table("pg_catalog", "pg_roles", """
            oid:oid rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool rolcanlogin:bool \
            rolreplication:bool rolconnlimit:int4 rolpassword:text rolvaliduntil:timestamptz rolbypassrls:bool rolconfig:_text
            """),
        table("pg_catalog", "pg_user", "usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool usebypassrls:bool"),
        table("pg_catalog", "pg_settings", "name:text setting:text unit:text category:text short_desc:text vartype:text source:text"),
        table("pg_catalog", "pg_tables", """
            schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool hasrules:bool hastriggers:bool rowsecurity:bool
            """),
        table("pg_catalog", "pg_views", "schemaname:name viewname:name viewowner:name definition:text"),
        table("pg_catalog", "pg_matviews", "schemaname:name matviewname:name matviewowner:name definition:text"),
        table("pg_catalog", "pg_constraint", """
            oid:oid conname:name connamespace:oid contype:char condeferrable:bool condeferred:bool convalidated:bool conrelid:oid \
            contypid:oid conindid:oid conparentid:oid confrelid:oid confupdtype:char confdeltype:char confmatchtype:char \
            conislocal:bool coninhcount:int4 connoinherit:bool conkey:_int2 confkey:_int2 conbin:pg_node_tree
            """),
        table("pg_catalog", "pg_index", """
            indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool indisprimary:bool indisexclusion:bool \
            indimmediate:bool indisclustered:bool indisvalid:bool indcheckxmin:bool indisready:bool indislive:bool \
            indisreplident:bool indkey:int2vector indcollation:oidvector indclass:oidvector indoption:int2vector \
            indexprs:pg_node_tree indpred:pg_node_tree
            """),
        table("pg_catalog", "pg_inherits", "inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool"),
        table("pg_catalog", "pg_enum", "oid:oid enumtypid:oid enumsortorder:float4 enumlabel:name"),
        table("pg_catalog", "pg_sequence", "seqrelid:oid seqtypid:oid seqstart:int8 seqincrement:int8 seqmax:int8 seqmin:int8 seqcache:int8 seqcycle:bool"),
        table("pg_catalog", "pg_collation", "oid:oid collname:name collnamespace:oid collowner:oid collprovider:char collisdeterministic:bool collencoding:int4 collcollate:name collctype:name"),
        table("pg_catalog", "pg_proc", """
            oid:oid proname:name pronamespace:oid proowner:oid prolang:oid procost:float4 prorows:float4 provariadic:oid prosupport:regproc \
            prokind:char prosecdef:bool proleakproof:bool proisstrict:bool proretset:bool provolatile:char proparallel:char pronargs:int2 \
            pronargdefaults:int2 prorettype:oid proargtypes:oidvector proallargtypes:_oid proargmodes:_char proargnames:_text prosrc:text
            """),
        table("pg_catalog", "pg_tablespace", "oid:oid spcname:name spcowner:oid"),
        table("pg_catalog", "pg_rewrite", "oid:oid rulename:name ev_class:oid ev_type:char ev_enabled:char is_instead:bool ev_qual:pg_node_tree ev_action:pg_node_tree"),
        table("pg_catalog", "pg_trigger", """
            oid:oid tgrelid:oid tgparentid:oid tgname:name tgfoid:oid tgtype:int2 tgenabled:char tgisinternal:bool tgconstrrelid:oid \
            tgconstrindid:oid tgconstraint:oid tgdeferrable:bool tginitdeferred:bool tgnargs:int2 tgattr:int2vector tgargs:bytea \
            tgqual:pg_node_tree tgoldtable:name tgnewtable:name
            """),
        table("pg_catalog", "pg_policy", "oid:oid polname:name polrelid:oid polcmd:char polpermissive:bool polroles:_oid polqual:pg_node_tree polwithcheck:pg_node_tree"),
        table("pg_catalog", "pg_statistic_ext", "oid:oid stxrelid:oid stxname:name stxnamespace:oid stxowner:oid stxstattarget:int4 stxkeys:int2vector stxkind:_char stxexprs:pg_node_tree"),
        table("pg_catalog", "pg_publication", "oid:oid pubname:name pubowner:oid puballtables:bool pubinsert:bool pubupdate:bool pubdelete:bool pubtruncate:bool pubviaroot:bool"),
        table("pg_catalog", "pg_publication_namespace", "oid:oid pnpubid:oid pnnspid:oid"),
        table("pg_catalog", "pg_publication_rel", "oid:oid prpubid:oid prrelid:oid prqual:pg_node_tree prattrs:int2vector"),
        table("pg_catalog", "pg_foreign_table", "ftrelid:oid ftserver:oid ftoptions:_text"),
        table("pg_catalog", "pg_foreign_server", "oid:oid srvname:name srvowner:oid srvfdw:oid srvtype:text srvversion:text srvacl:_aclitem srvoptions:_text"),
        table("pg_catalog", "pg_foreign_data_wrapper", "oid:oid fdwname:name fdwowner:oid fdwhandler:oid fdwvalidator:oid fdwacl:_aclitem fdwoptions:_text"),
        table("pg_catalog", "pg_partitioned_table", "partrelid:oid partstrat:char partnatts:int2 partdefid:oid partattrs:int2vector partclass:oidvector partcollation:oidvector partexprs:pg_node_tree"),
        table("pg_catalog", "pg_extension", "oid:oid extname:name extowner:oid extnamespace:oid extversion:text"),
        table("pg_catalog", "pg_depend", "classid:oid objid:oid objsubid:int4 refclassid:oid refobjid:oid refobjsubid:int4 deptype:char"),
        table("pg_catalog", "pg_stat_activity", "datid:oid datname:name pid:int4 usename:name application_name:text state:text query:text"),
        table("information_schema", "schemata", "catalog_name:name schema_name:name schema_owner:name"),
        table("information_schema", "tables", """
            table_catalog:name table_schema:name table_name:name table_type:varchar self_referencing_column_name:name \
            reference_generation:varchar user_defined_type_catalog:name user_defined_type_schema:name user_defined_type_name:name \
            is_insertable_into:varchar is_typed:varchar commit_action:varchar
            """),
        table("information_schema", "columns", """
            table_catalog:name table_schema:name table_name:name column_name:name ordinal_position:int4 column_default:varchar \
            is_nullable:varchar data_type:varchar character_maximum_length:int4 character_octet_length:int4 numeric_precision:int4 \
            numeric_precision_radix:int4 numeric_scale:int4 datetime_precision:int4 udt_catalog:name udt_schema:name udt_name:name \
            is_identity:varchar is_generated:varchar is_updatable:varchar
            """),
        table("information_schema", "views", "table_catalog:name table_schema:name table_name:name view_definition:varchar"),
        table("information_schema", "table_constraints", """
            constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name table_schema:name \
            table_name:name constraint_type:varchar
            """),
        table("information_schema", "key_column_usage", """
            constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name table_schema:name table_name:name \
            column_name:name ordinal_position:int4
            """),
        table("information_schema", "referential_constraints", """
            constraint_catalog:name constraint_schema:name constraint_name:name unique_constraint_catalog:name \
            unique_constraint_schema:name unique_constraint_name:name
            """),
    ]

    private static let byName: [String: Table] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// A catalog relation by its name's parts (`pg_class`, `pg_catalog.pg_class`,
    /// `information_schema.tables`); nil for any other relation.
    static func named(_ parts: [String]) -> Table? {
        guard let last = parts.last, let table = byName[last] else {
            if parts.count >= 2, parts[parts.count - 2] == "information_schema", let found = all.first(where: { $0.schema == "information_schema" && $0.name == parts.last }) {
                return found
            }
            return nil
        }
        if parts.count >= 2 {
            let schema = parts[parts.count - 2]
            if schema == table.schema { return table }
            return all.first { $0.schema == schema && $0.name == last }
        }
        // Unqualified: pg_catalog is always on the search path; information_schema is not.
        return table.schema == "pg_catalog" ? table : nil
    }
}
