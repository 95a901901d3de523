# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fake authentication.models (TEST ONLY): PrivateToken (a DRF Token: key, user, created) and its queries."""
import _fake_jumpserver as store


class QuerySet:
    def __init__(self, user):
        self.user = user

    def first(self):
        data = store.read(self.user.username)
        return PrivateToken.from_sim(self.user, data['token']) if data['user_exists'] else None

    def exists(self):
        return self.first() is not None

    def delete(self):
        result = store.act(self.user.username, 'delete')
        count = 1 if result.get('deleted') else 0
        return count, {'authentication.PrivateToken': count}


class Manager:
    def filter(self, **lookup):
        if set(lookup) != {'user'}:
            raise TypeError('fake PrivateToken.objects.filter() supports user= only, got %s' % sorted(lookup))
        return QuerySet(lookup['user'])

    def get_or_create(self, user):
        result = store.act(user.username, 'get_or_create')
        return PrivateToken.from_sim(user, result['token']), bool(result.get('created'))


class PrivateToken:
    objects = Manager()

    def __init__(self, key, user, created):
        self.key = key
        self.user = user
        self.created = created

    @classmethod
    def from_sim(cls, user, data):
        if not data:
            return None
        return cls(data['key'], user, store.parse_date(data.get('created')))

    def __str__(self):
        return self.key
