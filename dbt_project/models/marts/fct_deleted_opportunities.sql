{#
    The deals deleted in the CRM, kept where an analyst can find them: they are in no other mart.
    int_opportunities_deleted says how each was found deleted and by which export.
#}
with

deleted as (
    select * from {{ ref('int_opportunities_deleted') }}
),

final as (
    select
        opportunity_id,
        source_name,
        opportunity_name,
        account_id,
        owner_id,
        created_date,
        close_date,
        stage,
        status,
        amount_original,
        currency_original,
        deleted_by,
        deleted_in_file,
        deleted_at,
        last_row_file
    from deleted
)

select * from final
