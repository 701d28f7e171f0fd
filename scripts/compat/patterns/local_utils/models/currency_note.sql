{{ config(materialized='table') }}
select '{{ var("currency") }}' as currency
