"""A live class: the store that a teacher's and the students' sessions share."""
