"""Built-in mappings for exports of HubSpot, Salesforce, LinkedIn Sales Navigator and
Gong-style call tools, recognised by their header (documented in docs/import.md)."""

from __future__ import annotations

from dataclasses import dataclass

from smarketing.imports.mapping import Column, Mapping

ALL_CREATE = frozenset({"companies", "owners", "products", "campaigns"})
LIFECYCLE_DATES = {
    "subscriber": "Subscriber", "lead": "Lead", "mql": "Marketing Qualified Lead",
    "sql": "Sales Qualified Lead", "opportunity": "Opportunity", "customer": "Customer",
    "evangelist": "Evangelist",
}
HS_INTERNAL_STAGE = {"subscriber": "subscriber", "lead": "lead",
                     "mql": "marketingqualifiedlead", "sql": "salesqualifiedlead",
                     "opportunity": "opportunity", "customer": "customer",
                     "evangelist": "evangelist"}


@dataclass(frozen=True)
class Preset:
    name: str
    kind: str
    system: str
    signature: tuple[frozenset[str], ...]  # any one of these header sets, all present
    columns: dict[str, str]
    values: dict[str, dict[str, str]]
    defaults: dict[str, str]

    def matches(self, header: set[str]) -> bool:
        return any(sig <= header for sig in self.signature)

    def mapping(self) -> Mapping:
        return Mapping(
            columns={k.lower(): Column(field=v) for k, v in self.columns.items()},
            values={f: {k.lower(): v for k, v in m.items()} for f, m in self.values.items()},
            defaults=dict(self.defaults), create_missing=ALL_CREATE, system=self.system,
            kind=self.kind, preset=self.name,
        )


def _sig(*names: str) -> frozenset[str]:
    return frozenset(n.lower() for n in names)


def _became(stage: str, label: str) -> dict[str, str]:
    article = "an" if label[0] in "AEIOU" else "a"
    return {f"Became {article} {label} Date": f"became_{stage}_at",
            f"hs_lifecyclestage_{HS_INTERNAL_STAGE[stage]}_date": f"became_{stage}_at"}


HUBSPOT_CONTACTS = Preset(
    name="hubspot_contacts", kind="contacts", system="hubspot",
    signature=(_sig("Record ID", "Email", "Lifecycle Stage"),
               _sig("Record ID", "First Name", "Last Name", "Email"),
               _sig("hs_object_id", "email", "lifecyclestage")),
    columns={
        "Record ID": "external_id", "hs_object_id": "external_id", "Email": "email",
        "First Name": "first_name", "firstname": "first_name", "Last Name": "last_name",
        "lastname": "last_name", "Job Title": "title", "jobtitle": "title",
        "Phone Number": "phone", "phone": "phone", "Company Name": "company",
        "company": "company", "Associated Company IDs": "company_external_id",
        "Associated Company ID": "company_external_id", "Contact owner": "owner",
        "Lifecycle Stage": "lifecycle_stage", "lifecyclestage": "lifecycle_stage",
        "Lead Status": "lead_status", "hs_lead_status": "lead_status",
        "Original Source": "original_source", "hs_analytics_source": "original_source",
        "Create Date": "created_at", "createdate": "created_at",
        **{k: v for s, label in LIFECYCLE_DATES.items() for k, v in _became(s, label).items()},
    },
    values={}, defaults={},
)
HUBSPOT_COMPANIES = Preset(
    name="hubspot_companies", kind="companies", system="hubspot",
    signature=(_sig("Record ID", "Company name"), _sig("hs_object_id", "name", "domain")),
    columns={
        "Record ID": "external_id", "hs_object_id": "external_id", "Company name": "name",
        "Company Domain Name": "domain", "domain": "domain", "Industry": "industry",
        "Number of Employees": "employee_count", "numberofemployees": "employee_count",
        "Annual Revenue": "annual_revenue", "annualrevenue": "annual_revenue",
        "Country/Region": "country", "Country": "country", "Company owner": "owner",
        "Create Date": "created_at",
    },
    values={}, defaults={},
)
HUBSPOT_DEALS = Preset(
    name="hubspot_deals", kind="deals", system="hubspot",
    signature=(_sig("Record ID", "Deal Name", "Deal Stage"),
               _sig("hs_object_id", "dealname", "dealstage")),
    columns={
        "Record ID": "external_id", "hs_object_id": "external_id", "Deal Name": "name",
        "dealname": "name", "Deal Stage": "stage", "dealstage": "stage",
        "Pipeline": "pipeline", "Amount": "amount", "amount": "amount",
        "Close Date": "close_date", "closedate": "close_date", "Create Date": "created_at",
        "createdate": "created_at", "Deal owner": "owner", "Deal Type": "type",
        "Associated Contact IDs": "contact_external_ids",
        "Associated Company IDs": "company_external_id",
        "Associated Company ID": "company_external_id", "Closed Lost Reason": "lost_reason",
    },
    values={"pipeline": {"Sales Pipeline": "default", "default": "default"},
            "type": {"newbusiness": "new_business", "New Business": "new_business",
                     "existingbusiness": "upsell", "Existing Business": "upsell"}},
    defaults={},
)
SALESFORCE_LEADS = Preset(
    name="salesforce_leads", kind="contacts", system="salesforce",
    signature=(_sig("Id", "FirstName", "LastName", "Company", "Status"),
               _sig("Lead ID", "First Name", "Last Name", "Lead Status")),
    columns={
        "Id": "external_id", "Lead ID": "external_id", "FirstName": "first_name",
        "First Name": "first_name", "LastName": "last_name", "Last Name": "last_name",
        "Email": "email", "Title": "title", "Phone": "phone", "Company": "company",
        "Company / Account": "company", "Website": "company_domain", "Status": "lead_status",
        "Lead Status": "lead_status", "LeadSource": "original_source",
        "Lead Source": "original_source", "IsConverted": "converted", "Converted": "converted",
        "ConvertedDate": "converted_at", "Converted Date": "converted_at",
        "CreatedDate": "created_at", "Create Date": "created_at", "Created Date": "created_at",
        "Lead Owner": "owner", "ConvertedContactId": "converted_contact_id",
        "ConvertedOpportunityId": "converted_opportunity_id",
    },
    values={}, defaults={"lifecycle_stage": "lead"},
)
SALESFORCE_CONTACTS = Preset(
    name="salesforce_contacts", kind="contacts", system="salesforce",
    signature=(_sig("Id", "FirstName", "LastName", "AccountId"),
               _sig("Contact ID", "First Name", "Last Name", "Account Name")),
    columns={
        "Id": "external_id", "Contact ID": "external_id", "FirstName": "first_name",
        "First Name": "first_name", "LastName": "last_name", "Last Name": "last_name",
        "Email": "email", "Title": "title", "Phone": "phone", "AccountId": "company_external_id",
        "Account ID": "company_external_id", "Account Name": "company",
        "LeadSource": "original_source", "Lead Source": "original_source",
        "CreatedDate": "created_at", "Created Date": "created_at", "Contact Owner": "owner",
    },
    values={}, defaults={"lifecycle_stage": "sql"},
)
SALESFORCE_ACCOUNTS = Preset(
    name="salesforce_accounts", kind="companies", system="salesforce",
    signature=(_sig("Id", "Name", "Website", "Industry"), _sig("Account ID", "Account Name")),
    columns={
        "Id": "external_id", "Account ID": "external_id", "Name": "name",
        "Account Name": "name", "Website": "domain", "Industry": "industry",
        "NumberOfEmployees": "employee_count", "Employees": "employee_count",
        "AnnualRevenue": "annual_revenue", "Annual Revenue": "annual_revenue",
        "BillingCountry": "country", "Billing Country": "country", "Account Owner": "owner",
        "CreatedDate": "created_at", "Created Date": "created_at",
    },
    values={}, defaults={},
)
SALESFORCE_OPPORTUNITIES = Preset(
    name="salesforce_opportunities", kind="deals", system="salesforce",
    signature=(_sig("Id", "Name", "StageName", "CloseDate"),
               _sig("Opportunity ID", "Opportunity Name", "Stage")),
    columns={
        "Id": "external_id", "Opportunity ID": "external_id", "Name": "name",
        "Opportunity Name": "name", "StageName": "stage", "Stage": "stage",
        "Amount": "amount", "CloseDate": "close_date", "Close Date": "close_date",
        "CreatedDate": "created_at", "Created Date": "created_at",
        "AccountId": "company_external_id", "Account ID": "company_external_id",
        "Account Name": "company", "Opportunity Owner": "owner", "IsWon": "is_won",
        "Won": "is_won", "IsClosed": "is_closed", "Closed": "is_closed", "Type": "type",
        "ContactId": "contact_external_ids", "Loss Reason": "lost_reason",
    },
    values={"type": {"New Customer": "new_business", "New Business": "new_business",
                     "Existing Customer - Upgrade": "upsell",
                     "Existing Customer - Replacement": "renewal",
                     "Existing Customer - Downgrade": "renewal",
                     "Existing Business": "upsell"}},
    defaults={},
)
SALES_NAVIGATOR = Preset(
    name="linkedin_sales_navigator", kind="contacts", system="linkedin",
    signature=(_sig("First Name", "Last Name", "LinkedIn Profile URL"),
               _sig("First Name", "Last Name", "Profile URL", "Company")),
    columns={
        "LinkedIn Profile URL": "external_id", "Profile URL": "external_id",
        "First Name": "first_name", "Last Name": "last_name", "Title": "title",
        "Job Title": "title", "Company": "company", "Company Name": "company",
        "Email": "email", "Email Address": "email", "Phone": "phone",
        "Date Saved": "created_at",
    },
    values={}, defaults={"original_source": "sales", "lifecycle_stage": "other"},
)
GONG_CALLS = Preset(
    name="gong_calls", kind="activities", system="gong",
    signature=(_sig("Call ID", "Participants"), _sig("Call ID", "Started", "Duration")),
    columns={
        "Call ID": "external_id", "Title": "subject", "Call Title": "subject",
        "Started": "at", "Call Date": "at", "Date": "at", "Participants": "participants",
        "External Participants": "participants", "Duration": "duration",
        "Outcome": "outcome", "Disposition": "outcome", "Host": "owner", "Owner": "owner",
        "Brief": "body", "Summary": "body",
    },
    values={}, defaults={"kind": "call"},
)

SEO_TRAFFIC = Preset(
    name="seo_organic_traffic", kind="organic_traffic", system="seo",
    signature=(_sig("Date", "Keyword", "Traffic"), _sig("Date", "URL", "Traffic"),
               _sig("Date", "Page", "Traffic"), _sig("Date", "Keyword", "Position")),
    columns={
        "Date": "day", "Keyword": "keyword", "URL": "keyword", "Page": "keyword",
        "Traffic": "traffic", "Organic Traffic": "traffic", "Position": "position",
        "Current position": "position",
    },
    values={}, defaults={},
)

# Most specific first: a Salesforce contact file also has the lead preset's columns.
PRESETS: tuple[Preset, ...] = (
    HUBSPOT_DEALS, HUBSPOT_COMPANIES, HUBSPOT_CONTACTS, SALESFORCE_OPPORTUNITIES,
    SALESFORCE_LEADS, SALESFORCE_CONTACTS, SALESFORCE_ACCOUNTS, SALES_NAVIGATOR, GONG_CALLS,
    SEO_TRAFFIC,
)
BY_NAME = {p.name: p for p in PRESETS}


def detect(header: list[str]) -> Preset | None:
    names = {h.strip().lower() for h in header}
    return next((p for p in PRESETS if p.matches(names)), None)
