import { requireRole } from '../auth/require-role.ts';
import type { Feature } from '../features/feature.ts';
import { adminUsersApi } from './admin-users-api.ts';
import { adminUsersPages } from './admin-users-pages.ts';
import type { UserAdmin } from './user-admin.ts';
import type { UsersRepository } from './users-repository.ts';

/**
 * The tenant's users, for owners and admins: the page at /admin/users and the JSON under
 * /api/admin. The guard reads the actor's role from the database on each request; the link is
 * shown by the session's role, which may be stale (harmless: the route decides).
 */
export function adminUsersFeature(admin: UserAdmin, users: UsersRepository): Feature {
  const guard = requireRole(users, 'owner', 'admin');
  return {
    prefix: '/admin/users',
    pages: adminUsersPages(admin, guard),
    apiPrefix: '/admin',
    api: adminUsersApi(admin, guard),
    nav: [
      {
        label: 'Users',
        path: '/admin/users',
        when: (user) => user?.role === 'owner' || user?.role === 'admin',
      },
    ],
  };
}
