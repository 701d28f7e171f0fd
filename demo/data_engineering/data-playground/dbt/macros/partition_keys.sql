{#- Seed 003's partition keys from a `YYYY-MM-DD HH:MM:SS` time: the day (`YYYY-MM-DD`) and the
    hour (`YYYY-MM-DDThh:00:00`). Plain substring arithmetic, so every engine agrees. -#}
{% macro day_key(column) -%}
    substr({{ column }}, 1, 10)
{%- endmacro %}

{% macro hour_key(column) -%}
    substr({{ column }}, 1, 10) || 'T' || substr({{ column }}, 12, 2) || ':00:00'
{%- endmacro %}
