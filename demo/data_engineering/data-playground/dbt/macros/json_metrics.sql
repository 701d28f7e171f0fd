{#- The metric tables' `extra_metrics` JSON object, built from (key, numeric expression) pairs
    as text so that every engine writes the same JSON values (PostgreSQL keeps a rounded
    numeric's trailing zeros: 1.000 where SQLite writes 1.0); a NULL value is written as null. -#}
{% macro json_metrics(pairs) -%}
    '{' ||
    {%- for key, expression in pairs %}
    '"{{ key }}":' || coalesce(cast({{ expression }} as {{ dbt.type_string() }}), 'null')
    {%- if not loop.last %} || ',' || {% endif %}
    {%- endfor %}
    || '}'
{%- endmacro %}
