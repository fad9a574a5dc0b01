"""Stories: group same-event articles and merge the key points several outlets share. Pure."""
