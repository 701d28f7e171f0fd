-- One row per FakeUser: the latest load of each, with a known status.
with ranked as (
    select
        user_id,
        full_name,
        username,
        lower(email) as email,
        lower(status) as status,
        event_time,
        updated_time,
        extra_data,
        row_number() over (partition by user_id order by _loaded_at desc, updated_time desc) as version_rank
    from {{ source('playground', 'raw_fake_user') }}
    where user_id is not null
)
select user_id, full_name, username, email, status, event_time, updated_time, extra_data
from ranked
where version_rank = 1
