# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fake users.models (TEST ONLY): User with JumpServer's TokenMixin methods (apps/users/models/user/_token.py)."""
import _fake_jumpserver as store


class ObjectDoesNotExist(Exception):
    pass


class UserManager:
    def get(self, **lookup):
        if set(lookup) != {'username'}:
            raise TypeError('fake User.objects.get() supports username= only, got %s' % sorted(lookup))
        username = lookup['username']
        if not isinstance(username, str):
            raise TypeError('username must be a string')
        if not store.read(username)['user_exists']:
            raise User.DoesNotExist('User matching query does not exist.')
        return User(username)


class User:
    class DoesNotExist(ObjectDoesNotExist):
        pass

    objects = UserManager()

    def __init__(self, username):
        self.username = username

    def __repr__(self):
        return '<User: %s>' % self.username

    @property
    def private_token(self):
        return self.create_private_token()

    def create_private_token(self):
        from authentication.models import PrivateToken
        return PrivateToken.from_sim(self, store.act(self.username, 'get_or_create')['token'])

    def delete_private_token(self):
        store.act(self.username, 'delete')

    def refresh_private_token(self):
        from authentication.models import PrivateToken
        return PrivateToken.from_sim(self, store.act(self.username, 'refresh')['token'])
