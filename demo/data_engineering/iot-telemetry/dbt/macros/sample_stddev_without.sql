{#- The sample standard deviation of a group's values without one of them, from the group's
    count, sum and sum of squares: how far a reading is from its sensor's other readings.
    Plain SQL (no scalar max or greatest), so it runs on SQLite and PostgreSQL alike. -#}
{% macro sample_stddev_without(value, n, total, total_of_squares) -%}
    {%- set variance -%}
        ((({{ total_of_squares }} - {{ value }} * {{ value }})
          - ({{ total }} - {{ value }}) * ({{ total }} - {{ value }}) / ({{ n }} - 1))
         / ({{ n }} - 2))
    {%- endset -%}
    sqrt(case when {{ variance }} > 0 then {{ variance }} else 0 end)
{%- endmacro %}
