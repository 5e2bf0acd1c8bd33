DROP TABLE request_budgets;
