{# Trims and lower-cases a text column; empty strings become null. #}
{% macro clean_text(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}
