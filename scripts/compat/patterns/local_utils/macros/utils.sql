{% macro money(column) %}{{ return(adapter.dispatch('money', 'local_utils')(column)) }}{% endmacro %}
{% macro default__money(column) %}({{ column }} / 100.0){% endmacro %}
{% macro sqlite__money(column) %}round({{ column }} / 100.0, 2){% endmacro %}
{% macro postgres__money(column) %}round({{ column }} / 100.0, 2){% endmacro %}

{% macro label() %}{{ var('currency', 'unscoped') }} amounts{% endmacro %}

{# The columns of a relation but some: needs the database, so `execute` guards it as dbt_utils.star does. #}
{% macro columns_of(relation, except=[]) %}
    {%- if not execute -%}{{ return('*') }}{%- endif -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) if column.name | lower not in except -%}
        {%- do names.append('o.' ~ adapter.quote(column.name)) -%}
    {%- endfor -%}
    {{ return(names | join(', ')) }}
{% endmacro %}

{% macro distinct_values(relation, column) %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set result = run_query('select distinct ' ~ column ~ ' from ' ~ relation ~ ' order by 1') -%}
    {{ return(result.columns[0].values()) }}
{% endmacro %}

{% macro day_span(relation, column) %}
    {%- call statement('span', fetch_result=True) -%}
        select count(distinct {{ column }}) from {{ relation }}
    {%- endcall -%}
    {%- set loaded = load_result('span') -%}
    {%- if loaded and loaded['data'] -%}{{ return(loaded['data'][0][0]) }}{%- endif -%}
    {{ return(0) }}
{% endmacro %}
