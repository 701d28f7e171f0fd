{#- Hours from one timestamp to another, through dbt's cross-database datediff. -#}
{% macro hours_between(start, finish) -%}
    {{ dbt.datediff(start, finish, 'hour') }}
{%- endmacro %}
