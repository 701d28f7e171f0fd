{#- Seed 003's partition keys from a `YYYY-MM-DD HH:MM:SS` time: the day (`YYYY-MM-DD`) and the
    hour (`YYYY-MM-DDThh:00:00`). Plain substring arithmetic on the time as text, so every engine agrees. -#}
{% macro day_key(column) -%}
    substr(cast({{ column }} as {{ dbt.type_string() }}), 1, 10)
{%- endmacro %}

{% macro hour_key(column) -%}
    substr(cast({{ column }} as {{ dbt.type_string() }}), 1, 10) || 'T' || substr(cast({{ column }} as {{ dbt.type_string() }}), 12, 2) || ':00:00'
{%- endmacro %}
