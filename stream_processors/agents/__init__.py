"""Who a client says it is: agents, their categories and operators, and the IP ranges that verify them."""
