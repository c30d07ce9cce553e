{# Users are the reps (and their managers): named by the canonical reps entity of docs/inputs.md. #}
with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__user'), ['"Id"']) }}
),

renamed as (
    select
        {{ text_or_null('"Id"') }} as rep_id,
        nullif("Name", '') as rep_name,
        nullif("FirstName", '') as first_name,
        nullif("LastName", '') as last_name,
        {{ text_or_null('"Email"') }} as email,
        nullif("Title", '') as title,
        {{ text_or_null('"ManagerId"') }} as manager_id,
        {{ text_or_null('"Department"') }} as team,
        {{ text_or_null('"Division"') }} as region,
        coalesce({{ parse_boolean('"IsActive"') }}, true) as is_active,
        {{ parse_timestamp('"CreatedDate"') }} as created_at,
        _source_file,
        _source_line
    from source
)

select * from renamed
