{#- The worst `share` of a group's outcomes, as a rank: ceil(share × n), at least 1. Historical
    VaR is the loss at that rank; expected shortfall is the average loss up to it. -#}
{% macro tail_rank(share, n) -%}
    (case when {{ share }} * {{ n }} > cast({{ share }} * {{ n }} as integer)
          then cast({{ share }} * {{ n }} as integer) + 1
          else case when cast({{ share }} * {{ n }} as integer) < 1 then 1 else cast({{ share }} * {{ n }} as integer) end
     end)
{%- endmacro %}
