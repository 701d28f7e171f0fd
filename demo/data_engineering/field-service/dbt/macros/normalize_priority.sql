{#- Service systems write priorities as P1..P4 in any case and spacing, or as words; this maps
    them onto P1..P4 (high is P1, low is P4) and anything else onto NULL. -#}
{% macro normalize_priority(column) -%}
    case upper(trim({{ column }}))
        when 'HIGH' then 'P1'
        when 'LOW' then 'P4'
        when 'P1' then 'P1'
        when 'P2' then 'P2'
        when 'P3' then 'P3'
        when 'P4' then 'P4'
    end
{%- endmacro %}
