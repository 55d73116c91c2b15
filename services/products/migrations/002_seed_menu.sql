-- The starting menu. Fixed ids so that docs, tests and bookmarks stay valid across installs.
INSERT INTO products (id, name, description, category, price_cents, available) VALUES
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d01', 'Classic Smash Burger', 'Two smashed beef patties, cheddar, pickles, onion and house sauce on a brioche bun.', 'burgers', 1090, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d02', 'Bacon BBQ Burger', 'Beef patty, smoked bacon, crispy onions, cheddar and smoky barbecue sauce.', 'burgers', 1250, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d03', 'Garden Veggie Burger', 'Chickpea and beetroot patty, avocado, tomato, rocket and lemon mayo.', 'burgers', 1150, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d04', 'Truffle Mushroom Burger', 'Beef patty, sautéed mushrooms, gruyère and truffle aioli.', 'burgers', 1390, false),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d05', 'Pizza Margherita', 'San Marzano tomato, fior di latte, fresh basil and extra virgin olive oil.', 'pizzas', 990, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d06', 'Pizza Diavola', 'Tomato, mozzarella, spicy salami, chilli oil.', 'pizzas', 1190, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d07', 'Quattro Formaggi', 'Mozzarella, gorgonzola, parmigiano and fontina on a white base.', 'pizzas', 1290, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d08', 'Pizza Prosciutto e Funghi', 'Tomato, mozzarella, cooked ham and mushrooms.', 'pizzas', 1240, false),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d09', 'Hand-cut Fries', 'Twice-fried potatoes with sea salt and rosemary.', 'sides', 450, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d10', 'Sweet Potato Fries', 'Crispy sweet potato fries with smoked paprika mayo.', 'sides', 520, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d11', 'Onion Rings', 'Beer-battered onion rings with barbecue dip.', 'sides', 490, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d12', 'Homemade Lemonade', 'Fresh lemons, cane sugar and mint. 400 ml.', 'drinks', 350, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d13', 'Sparkling Water', 'Natural mineral water with bubbles. 500 ml.', 'drinks', 220, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d14', 'Craft Cola', 'Small-batch cola with real vanilla and citrus. 330 ml.', 'drinks', 320, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d15', 'Chocolate Lava Cake', 'Warm dark chocolate cake with a molten centre and vanilla ice cream.', 'desserts', 650, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d16', 'Tiramisu', 'Mascarpone, espresso-soaked savoiardi and cocoa.', 'desserts', 590, true),
  ('0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d17', 'Churros con Chocolate', 'Six churros with a cup of thick hot chocolate.', 'desserts', 550, false);
