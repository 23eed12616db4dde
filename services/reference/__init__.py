"""Reference data and checks of the 科技服务超市: fields, instrument categories, regions, identifiers,
contract rules, maturity, labels and the zone's targets. Pure data and lookups; imports nothing of ours."""
