-- FakeUserPaymentMethod: the payment methods a user has stored.
select payment_method_id, user_id, method_type, last4, is_default, event_time
from {{ source('playground', 'raw_fake_user_payment_method') }}
