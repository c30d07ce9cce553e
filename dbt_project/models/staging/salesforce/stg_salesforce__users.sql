{# Users are the reps (and their managers): named by the canonical reps entity of docs/inputs.md. #}
with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__user'), [adapter.quote('Id')]) }}
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as rep_id,
        nullif({{ adapter.quote('Name') }}, '') as rep_name,
        nullif({{ adapter.quote('FirstName') }}, '') as first_name,
        nullif({{ adapter.quote('LastName') }}, '') as last_name,
        {{ text_or_null(adapter.quote('Email')) }} as email,
        nullif({{ adapter.quote('Title') }}, '') as title,
        {{ text_or_null(adapter.quote('ManagerId')) }} as manager_id,
        {{ text_or_null(adapter.quote('Department')) }} as team,
        {{ text_or_null(adapter.quote('Division')) }} as region,
        coalesce({{ parse_boolean(adapter.quote('IsActive')) }}, true) as is_active,
        {{ parse_timestamp(adapter.quote('CreatedDate')) }} as created_at,
        _source_file,
        _source_line
    from source
)

select * from renamed
