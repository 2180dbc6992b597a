"""Services of the e-payment plugin: take an ``AsyncSession`` and the tenant id explicitly."""
