-- Issue 16: kitchen staff move orders on. An admin grants the role (PUT /users/{id}/role).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('customer', 'staff', 'admin'));
