{# Seeds keep their custom schema as written; models go to the target's. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if node.resource_type == 'seed' and custom_schema_name is not none -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema }}
    {%- endif -%}
{%- endmacro %}
