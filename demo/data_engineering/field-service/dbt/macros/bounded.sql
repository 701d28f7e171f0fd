{#- An expression held between two bounds, portably (no greatest/least on every engine). -#}
{% macro bounded(expression, low, high) -%}
    case when ({{ expression }}) < {{ low }} then {{ low }}
         when ({{ expression }}) > {{ high }} then {{ high }}
         else ({{ expression }}) end
{%- endmacro %}
