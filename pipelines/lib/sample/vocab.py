"""Word lists and geography the generator draws from.

Kept apart from the logic so the shape of the data (which countries, which names) can be read at a glance.
Some entries are deliberately awkward (commas, quotes, apostrophes, accents) because real exports are.
"""

from __future__ import annotations

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony Sandra Mark Ashley Steven "
    "Emily Paul Donna Andrew Michelle Joshua Carol Kevin Amanda Brian Melissa George Deborah Timothy Laura "
    "Ryan Rebecca Jacob Sharon Nicolas Cynthia Ahmed Priya Wei Yuki Lars Ingrid Mateo Sofia Lukas Amélie "
    "José Zoë Søren Chloé Rahul Aisha Kenji Olga Diego Fatima Noah Hannah Omar Leila Tomás Elena Pierre Maja"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez "
    "Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker "
    "Hall Rivera Campbell Mitchell Carter Roberts Müller Schmidt Schneider Fischer Weber Dubois Lefèvre "
    "Rossi Bianchi Tanaka Suzuki Sato Kim Park Chen Wang Singh Patel Kumar Silva Santos Oliveira Jensen "
    "Nielsen Johansson Kowalski Novak O'Brien O'Connor McCarthy D'Angelo Ødegaard"
).split()

COMPANY_PREFIXES = (
    "Acme Globex Initech Umbrella Stark Wayne Wonka Cyberdyne Tyrell Soylent Hooli Vandelay Massive Dynamic "
    "Northwind Contoso Fabrikam Adventure Tailspin Litware Proseware Wingtip Blue Red Green Silver Golden "
    "Summit Pinnacle Apex Vertex Zenith Horizon Atlas Titan Nova Stellar Quantum Fusion Vector Nimbus "
    "Evergreen Redwood Cedar Maple Oak Willow Harbor Bay River Lake Ocean Canyon Prairie Alpine Polar Sierra "
    "Meridian Beacon Keystone Cornerstone Bright Clear True First Prime United Pacific Atlantic Continental "
    "Nordic Iberia Rhein Sakura Jade Andes Pampas Sahara Orion Lyra Phoenix Falcon Eagle Hawk Lion Bear Wolf"
).split()
COMPANY_CORES = (
    "Systems Solutions Technologies Industries Logistics Analytics Dynamics Networks Partners Labs Works "
    "Manufacturing Health Foods Energy Capital Media Retail Foods Pharma Robotics Software Consulting "
    "Engineering Motors Textiles Aerospace Biotech Financial Insurance Telecom Shipping Hospitality Foods "
    "Electronics Materials Chemicals Devices Instruments Outfitters Brands Ventures Holdings Services Studio "
    "Data Cloud Security Automation Metals Plastics Packaging Farms Mining Water Solar Wind Power Freight"
).split()
# Legal suffixes: commas and periods on purpose (quoting), plus a couple of non-English forms.
COMPANY_SUFFIXES = (
    "",
    "",
    "",
    " Inc.",
    ", Inc.",
    " LLC",
    ", LLC",
    " Ltd",
    " Ltd.",
    " GmbH",
    " AG",
    " S.A.",
    " S.A. de C.V.",
    " Pty Ltd",
    " B.V.",
    " AB",
    " Corp.",
    " Co.",
    " Group",
    " & Co.",
    " K.K.",
    " SAS",
)
# Rare oddities real CRMs hold; they must survive ingestion intact.
ODD_COMPANY_NAMES = (
    'The "Original" Pancake House',
    "Joe's Garage, Inc.",
    "Société Générale d'Équipement",
    "Müller & Söhne",
    "東京ロボティクス株式会社",
    '=HYPERLINK("http://example.com")',
    "Smith; Jones & Partners",
    "Café Olé 😀",
    "O'Reilly-Brown Holdings",
    '"Quoted" Ventures, LLC',
)

INDUSTRIES = (
    "Technology",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Energy",
    "Telecommunications",
    "Media",
    "Transportation",
    "Government",
    "Hospitality",
    "Construction",
    "Agriculture",
    "Consulting",
    "Insurance",
    "Biotechnology",
)

REGIONS = ("North America", "EMEA", "APAC", "LATAM")

# (country, region index, weight, ((state or "", city), ...))
LOCATIONS: tuple[tuple[str, int, float, tuple[tuple[str, str], ...]], ...] = (
    (
        "United States",
        0,
        38.0,
        (
            ("CA", "San Francisco"),
            ("CA", "Los Angeles"),
            ("NY", "New York"),
            ("TX", "Austin"),
            ("TX", "Dallas"),
            ("IL", "Chicago"),
            ("MA", "Boston"),
            ("WA", "Seattle"),
            ("GA", "Atlanta"),
            ("CO", "Denver"),
            ("FL", "Miami"),
        ),
    ),
    ("Canada", 0, 6.0, (("ON", "Toronto"), ("QC", "Montréal"), ("BC", "Vancouver"), ("AB", "Calgary"))),
    ("United Kingdom", 1, 9.0, (("", "London"), ("", "Manchester"), ("", "Edinburgh"), ("", "Bristol"))),
    ("Germany", 1, 7.0, (("", "Berlin"), ("", "München"), ("", "Hamburg"), ("", "Frankfurt am Main"))),
    ("France", 1, 5.0, (("", "Paris"), ("", "Lyon"), ("", "Toulouse"))),
    ("Netherlands", 1, 3.0, (("", "Amsterdam"), ("", "Rotterdam"), ("", "Utrecht"))),
    ("Spain", 1, 2.5, (("", "Madrid"), ("", "Barcelona"), ("", "Valencia"))),
    ("Sweden", 1, 2.0, (("", "Stockholm"), ("", "Göteborg"))),
    ("United Arab Emirates", 1, 1.5, (("", "Dubai"), ("", "Abu Dhabi"))),
    ("South Africa", 1, 1.0, (("", "Johannesburg"), ("", "Cape Town"))),
    ("Australia", 2, 4.0, (("NSW", "Sydney"), ("VIC", "Melbourne"), ("QLD", "Brisbane"))),
    ("Japan", 2, 4.0, (("", "Tokyo"), ("", "Osaka"), ("", "Yokohama"))),
    ("Singapore", 2, 2.5, (("", "Singapore"),)),
    ("India", 2, 3.5, (("KA", "Bengaluru"), ("MH", "Mumbai"), ("DL", "New Delhi"))),
    ("South Korea", 2, 1.5, (("", "Seoul"), ("", "Busan"))),
    ("Brazil", 3, 4.5, (("SP", "São Paulo"), ("RJ", "Rio de Janeiro"), ("MG", "Belo Horizonte"))),
    ("Mexico", 3, 3.0, (("CDMX", "Ciudad de México"), ("NL", "Monterrey"), ("JAL", "Guadalajara"))),
    ("Argentina", 3, 1.5, (("", "Buenos Aires"), ("", "Córdoba"))),
    ("Chile", 3, 1.0, (("", "Santiago"),)),
    ("Colombia", 3, 1.0, (("", "Bogotá"), ("", "Medellín"))),
)
