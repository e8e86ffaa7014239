"""Reference data of the generated B2B world: regions, countries, industries,
channels, campaigns, personas, funnel rates and delays.

Every table is a tuple or an insertion-ordered dict so that a seed always
produces the same data (no set iteration, no hash order).
"""

from __future__ import annotations

from smarketing.people.models import SourceChannel as Ch

# region -> (weight, countries as (ISO code, Faker locale, calling code, tld, weight))
COUNTRIES: dict[str, tuple[tuple[str, str, str, str, int], ...]] = {
    "NA": (("US", "en_US", "1", "com", 85), ("CA", "en_CA", "1", "ca", 15)),
    "EMEA": (
        ("GB", "en_GB", "44", "co.uk", 24), ("DE", "de_DE", "49", "de", 20),
        ("FR", "fr_FR", "33", "fr", 14), ("NL", "nl_NL", "31", "nl", 9),
        ("ES", "es_ES", "34", "es", 8), ("IT", "it_IT", "39", "it", 7),
        ("SE", "sv_SE", "46", "se", 6), ("IE", "en_IE", "353", "ie", 5),
        ("PL", "pl_PL", "48", "pl", 4), ("DK", "da_DK", "45", "dk", 3),
    ),
    "APAC": (
        ("AU", "en_AU", "61", "com.au", 35), ("JP", "ja_JP", "81", "co.jp", 20),
        ("IN", "en_IN", "91", "in", 25), ("SG", "en_US", "65", "sg", 10),
        ("NZ", "en_NZ", "64", "co.nz", 10),
    ),
    "LATAM": (
        ("BR", "pt_BR", "55", "com.br", 45), ("MX", "es_MX", "52", "mx", 30),
        ("AR", "es_AR", "54", "com.ar", 12), ("CO", "es_CO", "57", "co", 8),
        ("CL", "es_CL", "56", "cl", 5),
    ),
}
REGION_WEIGHTS: dict[str, int] = {"NA": 45, "EMEA": 32, "APAC": 15, "LATAM": 8}
TEAM_NAMES: dict[str, str] = {
    "NA": "NA Sales", "EMEA": "EMEA Sales", "APAC": "APAC Sales", "LATAM": "LATAM Sales",
}

# industry -> weight, and the words used to vary company names of that industry
INDUSTRIES: dict[str, tuple[int, tuple[str, ...]]] = {
    "Software": (22, ("Software", "Labs", "Cloud", "Systems", "Digital")),
    "Financial Services": (12, ("Capital", "Finance", "Partners", "Payments")),
    "Healthcare": (10, ("Health", "Medical", "Care", "Bio")),
    "Manufacturing": (12, ("Industries", "Manufacturing", "Works", "Components")),
    "Retail": (8, ("Retail", "Brands", "Stores", "Commerce")),
    "Professional Services": (10, ("Consulting", "Advisory", "Group", "Associates")),
    "Logistics": (6, ("Logistics", "Freight", "Transport", "Supply")),
    "Education": (5, ("Learning", "Academy", "Education")),
    "Media": (5, ("Media", "Studios", "Publishing")),
    "Telecommunications": (4, ("Telecom", "Networks", "Connect")),
    "Energy": (4, ("Energy", "Power", "Renewables")),
    "Real Estate": (2, ("Properties", "Realty", "Estates")),
}

# company tier by employees: (upper bound exclusive, tier)
TIERS: tuple[tuple[int, str], ...] = ((100, "SMB"), (1000, "Mid-Market"), (10**9, "Enterprise"))
TIER_FIT: dict[str, float] = {"SMB": 0.85, "Mid-Market": 1.05, "Enterprise": 1.2, "": 0.5}
TIER_WIN: dict[str, float] = {"SMB": 1.1, "Mid-Market": 1.0, "Enterprise": 0.8, "": 0.7}
TIER_CYCLE_DAYS: dict[str, float] = {"SMB": 21, "Mid-Market": 38, "Enterprise": 65, "": 30}
CRM_SYSTEMS: dict[str, int] = {
    "Salesforce": 35, "HubSpot": 25, "Microsoft Dynamics": 12, "Pipedrive": 8,
    "Zoho": 6, "None": 14,
}

# persona -> (weight, seniority weights, titles)
SENIORITIES: tuple[str, ...] = ("Executive", "Director", "Manager", "Individual contributor")
SENIORITY_WEIGHTS: tuple[int, ...] = (12, 22, 36, 30)
SENIORITY_FIT: dict[str, float] = {
    "Executive": 1.25, "Director": 1.2, "Manager": 1.0, "Individual contributor": 0.75,
}
PERSONAS: dict[str, tuple[int, tuple[str, str, str, str]]] = {
    # titles by seniority, in SENIORITIES order
    "Marketing leader": (30, (
        "CMO", "VP Marketing", "Marketing Manager", "Marketing Specialist")),
    "Sales leader": (22, (
        "Chief Revenue Officer", "VP Sales", "Sales Manager", "Account Executive")),
    "Revenue operations": (14, (
        "COO", "Director of Revenue Operations", "RevOps Manager", "Sales Operations Analyst")),
    "Executive": (10, ("CEO", "Managing Director", "General Manager", "Chief of Staff")),
    "IT": (12, ("CTO", "IT Director", "IT Manager", "Systems Administrator")),
    "Finance": (7, ("CFO", "Finance Director", "Finance Manager", "Financial Analyst")),
    "Other": (5, ("Founder", "Head of Operations", "Office Manager", "Consultant")),
}

# channel -> (weight, share entering as subscriber, MQL multiplier, campaigns)
CHANNELS: dict[str, tuple[int, float, float, tuple[str, ...]]] = {
    Ch.ORGANIC_SEARCH: (22, 0.45, 0.9, ("", "Blog: SEO content hub", "Guide: B2B funnel metrics")),
    Ch.PAID_SEARCH: (12, 0.15, 1.15, (
        "Google Ads - Brand", "Google Ads - Competitors", "Google Ads - CRM alternatives")),
    Ch.EMAIL: (8, 0.55, 0.9, ("Monthly newsletter", "Nurture: onboarding series")),
    Ch.ORGANIC_SOCIAL: (7, 0.5, 0.75, ("", "LinkedIn company page")),
    Ch.PAID_SOCIAL: (9, 0.25, 0.95, (
        "LinkedIn Ads - Marketing leaders", "LinkedIn Ads - RevOps", "Meta Ads - Retargeting")),
    Ch.REFERRAL: (7, 0.1, 1.45, ("Partner program", "Customer referrals")),
    Ch.DIRECT: (12, 0.35, 1.0, ("",)),
    Ch.EVENT: (7, 0.05, 1.3, (
        "Webinar: Pipeline hygiene", "Webinar: Aligning sales and marketing",
        "SaaStr Annual booth", "Regional roadshow")),
    Ch.OTHER_CAMPAIGNS: (6, 0.3, 1.05, (
        "Ebook: The B2B Funnel Playbook", "Report: State of RevOps", "Free ROI calculator")),
    Ch.OFFLINE: (2, 0.05, 0.9, ("Trade show badge scans", "Direct mail")),
    Ch.IMPORT: (5, 0.2, 0.6, ("List import: trade show", "List import: purchased list")),
    Ch.SALES: (3, 0.0, 1.5, ("",)),
}

RECYCLE_REASONS: tuple[str, ...] = (
    "No budget this year", "Not the decision maker", "Bad timing: revisit next quarter",
    "Student or job seeker", "Competitor", "Already a customer of a competitor, locked in",
    "No response after 5 attempts", "Wrong region or segment",
)
OTHER_REASONS: tuple[str, ...] = ("Partner", "Competitor", "Vendor", "Press / analyst")
PERSONAL_DOMAINS: tuple[str, ...] = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com")

# Funnel probabilities (before fit and channel multipliers) and median delays in days.
P_SUBSCRIBER_TO_LEAD = 0.22
P_LEAD_TO_OTHER = 0.015
P_LEAD_TO_MQL = 0.24
P_MQL_ACCEPT = 0.42
P_MQL_RECYCLE = 0.22
P_REQUALIFY = 0.18
P_SQL_TO_OPPORTUNITY = 0.6
P_SQL_RECYCLE = 0.08
P_OPPORTUNITY_WON = 0.27
P_OPPORTUNITY_LOST = 0.55
P_EVANGELIST = 0.12
P_NO_COMPANY = 0.04
P_PHONE = 0.6
DAYS_SUBSCRIBER_TO_LEAD = 25.0
DAYS_LEAD_TO_MQL = 9.0
DAYS_MQL_DECISION = 1.5
DAYS_RECYCLE = 3.0
DAYS_REQUALIFY = 40.0
DAYS_SQL_TO_OPPORTUNITY = 6.0
DAYS_TO_EVANGELIST = 75.0
DAYS_TO_OTHER = 20.0

# Seasonality of new contacts: Monday..Sunday, and January..December.
WEEKDAY_FACTORS: tuple[float, ...] = (1.1, 1.2, 1.2, 1.1, 0.9, 0.3, 0.25)
MONTH_FACTORS: tuple[float, ...] = (
    1.05, 1.0, 1.15, 1.05, 1.0, 0.9, 0.75, 0.7, 1.15, 1.2, 1.05, 0.65,
)
ANNUAL_GROWTH = 0.3  # the newest month gets ~30 % more contacts than the oldest
# Hour of day (UTC) weights: business hours across regions.
HOUR_WEIGHTS: tuple[int, ...] = (
    2, 2, 2, 3, 4, 5, 6, 8, 10, 12, 12, 11, 10, 11, 12, 12, 11, 9, 7, 5, 4, 3, 3, 2,
)
